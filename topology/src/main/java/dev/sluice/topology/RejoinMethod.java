package dev.sluice.topology;

/** How a former master was turned into a standby of the new master. */
public enum RejoinMethod {
  /** {@code pg_rewind} of the node's major version rewound its data directory (fast). */
  REWIND,
  /**
   * Its data directory was copied again from the new master over a SQL connection ({@code
   * pg_backup_start}, {@code pg_ls_dir}, {@code pg_read_binary_file}, {@code pg_backup_stop}):
   * needs no PostgreSQL client tools, but copies everything.
   */
  SQL_CLONE,
  /** It already was a standby streaming from the new master; only its role was recorded. */
  ALREADY_STANDBY
}
