/** The broker clients and the message format; never used directly outside this module. */
package dev.sluice.stream.internal;
