package dev.sluice.config;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * What kind of failure a database error is, decided once by SQLState (and cause) for every module:
 * whether to retry, or stop and tell the user what to change.
 */
public enum SqlFailure {
  /** Wrong user name or password: permanent, the configuration must change. */
  AUTHENTICATION(false),
  /** The database in the URL does not exist: permanent. */
  MISSING_DATABASE(false),
  /** The user lacks a right: permanent. */
  PERMISSION(false),
  /** The server cannot be reached or the connection broke: retriable. */
  UNREACHABLE(true),
  /** Serialization failure, deadlock, lock timeout, server shutting down: retriable. */
  TRANSIENT(true),
  /** A constraint, a value the database cannot hold, bad SQL: permanent for that change. */
  PERMANENT(false);

  private final boolean retriable;

  SqlFailure(boolean retriable) {
    this.retriable = retriable;
  }

  public boolean isRetriable() {
    return retriable;
  }

  /** Classifies an error from any JDBC driver (PostgreSQL, MariaDB, SQLite). */
  public static SqlFailure of(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
        return UNREACHABLE;
      }
    }
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (state.equals("28P01")
        || state.equals("28000")
        || message.contains("access denied for user")) {
      return AUTHENTICATION;
    }
    if (state.equals("3D000") || message.contains("unknown database")) {
      return MISSING_DATABASE;
    }
    if (state.equals("42501")) {
      return PERMISSION;
    }
    if (state.startsWith("08")
        || state.equals("57P01")
        || state.equals("57P02")
        || state.equals("57P03")
        || message.contains("connection refused")
        || message.contains("i/o error")
        || message.contains("connection is closed")
        || message.contains("socket")) {
      return UNREACHABLE;
    }
    if (state.equals("40001")
        || state.equals("40P01")
        || state.equals("55P03")
        || state.equals("53300")
        || state.equals("HY000") && message.contains("deadlock")
        || message.contains("database is locked")
        || message.contains("lock wait timeout")) {
      return TRANSIENT;
    }
    return PERMANENT;
  }
}
