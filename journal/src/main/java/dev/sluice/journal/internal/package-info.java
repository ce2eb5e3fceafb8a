/** The journal's binary encoding. Not an API: never use directly. */
package dev.sluice.journal.internal;
