import EventLog

/// The versioned schema, the same tables in both dialects (DESIGN §4).
enum StoreSchema {
    /// One migration: a version, a name, and its statements in a dialect.
    struct Migration: Sendable {
        var version: Int64
        var name: String
        var statements: @Sendable (SQLDialect) -> [String]
    }

    /// The newest schema version this binary knows.
    static var currentVersion: Int64 { migrations.last?.version ?? 0 }

    /// The table recording which migrations ran.
    static let migrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
        """

    /// Every migration, oldest first; never edit one that shipped, add a new one.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "initial schema", statements: initial),
        Migration(version: 2, name: "history records the blueprint", statements: { _ in
            [
                "ALTER TABLE deployment_history ADD COLUMN blueprint TEXT",
                "CREATE INDEX deployment_history_by_outcome ON deployment_history (outcome, environment)",
            ]
        }),
        Migration(version: 3, name: "leader lease", statements: { _ in
            [
                // One row: who leads, under which epoch (every leader write checks it), until when (ms, server clock).
                """
                CREATE TABLE leader_lease (
                  id INTEGER PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL, holder TEXT NOT NULL,
                  application_name TEXT NOT NULL, renewed_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """,
                "INSERT INTO leader_lease (id, epoch, holder, application_name, renewed_at, expires_at) VALUES (1, 0, '', '', 0, 0)",
            ]
        }),
        Migration(version: 4, name: "action keys name their effect", statements: { _ in
            [
                // The effect an action has whatever triggered it (DESIGN §5): a key started under one trigger
                // makes a later action with the same effect probe the target first.
                "ALTER TABLE action_keys ADD COLUMN effect TEXT",
                "CREATE INDEX action_keys_by_effect ON action_keys (effect, state)",
            ]
        }),
        Migration(version: 5, name: "console ids", statements: { _ in [ConsoleId.createTable] }),
        Migration(version: 6, name: "history ties backups to the promotion they protect", statements: { _ in
            [
                // `gates.backupBefore` (DESIGN §11): the archive taken before a deploy or promote, and its sha256.
                "ALTER TABLE deployment_history ADD COLUMN archive TEXT",
                "ALTER TABLE deployment_history ADD COLUMN archive_sha256 TEXT",
            ]
        }),
        // No table changes: from here every batch's state rows go to the log too (`stateChanged`,
        // DESIGN §14); a store upgraded to it gets a baseline record of its state (`baseline`).
        Migration(version: 7, name: "the event log carries state", statements: { _ in [] }),
        // Where each notification receiver stands in the event log (DESIGN §12).
        Migration(version: 8, name: "notification outbox", statements: { _ in [OutboxPosition.createTable] }),
        // Applied state and history per Target (DESIGN §10): '' is an environment's implicit target,
        // so every row written before keeps its meaning.
        Migration(version: 9, name: "applied state per target", statements: perTarget),
    ]

    /// The version from which the event log carries every state change.
    static let logCarriesState: Int64 = 7

    /// Whether the migrations just applied upgraded a store written before the log carried state
    /// (a new store, from version 0, has nothing to record).
    static func needsBaseline(afterApplying applied: [Int64]) -> Bool {
        applied.contains(logCarriesState) && !applied.contains(1)
    }

    /// The records of a baseline: the whole state as it stands, replacing whatever replay held.
    static func baseline(on session: any SQLSession, specs: SpecCache) async throws -> [NewEvent] {
        let state = try await StateReader(session: session).snapshot(specs: specs)
        return try StateDelta.records(state.rows, commit: state.cursor?.lastAppliedCommit, baseline: true)
    }

    /// Version 9: `resources` keyed by (kind, name, environment, target); history names the target.
    private static func perTarget(_ dialect: SQLDialect) -> [String] {
        let history = "ALTER TABLE deployment_history ADD COLUMN target TEXT"
        switch dialect {
        case .postgres:
            return [
                "ALTER TABLE resources ADD COLUMN target TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE resources DROP CONSTRAINT resources_pkey",
                "ALTER TABLE resources ADD PRIMARY KEY (kind, name, environment, target)",
                history,
            ]
        case .sqlite:
            // SQLite cannot change a primary key in place: the table is copied into its new shape.
            return [
                """
                CREATE TABLE resources_by_target (
                  kind TEXT NOT NULL, name TEXT NOT NULL CHECK (name <> ''), environment TEXT NOT NULL DEFAULT '',
                  spec_hash TEXT NOT NULL, spec TEXT NOT NULL, commit_sha TEXT NOT NULL, version TEXT,
                  sync TEXT NOT NULL, health TEXT NOT NULL, message TEXT, conditions TEXT NOT NULL,
                  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, target TEXT NOT NULL DEFAULT '',
                  PRIMARY KEY (kind, name, environment, target))
                """,
                """
                INSERT INTO resources_by_target (kind, name, environment, spec_hash, spec, commit_sha, version, sync, health, message,
                                                 conditions, created_at, updated_at, target)
                  SELECT kind, name, environment, spec_hash, spec, commit_sha, version, sync, health, message,
                         conditions, created_at, updated_at, '' FROM resources
                """,
                "DROP TABLE resources",
                "ALTER TABLE resources_by_target RENAME TO resources",
                history,
            ]
        }
    }

    /// Version 1: every table.
    private static func initial(_ dialect: SQLDialect) -> [String] {
        var statements = [
            """
            CREATE TABLE resources (
              kind TEXT NOT NULL, name TEXT NOT NULL CHECK (name <> ''), environment TEXT NOT NULL DEFAULT '',
              spec_hash TEXT NOT NULL, spec TEXT NOT NULL, commit_sha TEXT NOT NULL, version TEXT,
              sync TEXT NOT NULL, health TEXT NOT NULL, message TEXT, conditions TEXT NOT NULL,
              created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              PRIMARY KEY (kind, name, environment))
            """,
            """
            CREATE TABLE registered_versions (
              blueprint TEXT NOT NULL, version TEXT NOT NULL, spec_hash TEXT NOT NULL, commit_sha TEXT NOT NULL,
              registered_at BIGINT NOT NULL, PRIMARY KEY (blueprint, version))
            """,
            """
            CREATE TABLE deployment_history (
              id \(dialect.autoIncrementKey), deployment TEXT NOT NULL, environment TEXT NOT NULL,
              version TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, commit_sha TEXT NOT NULL,
              seq BIGINT, time BIGINT NOT NULL)
            """,
            "CREATE INDEX deployment_history_by_deployment ON deployment_history (deployment, time, id)",
            """
            CREATE TABLE approvals (
              deployment TEXT NOT NULL, version TEXT NOT NULL, approved_by TEXT NOT NULL, time BIGINT NOT NULL,
              PRIMARY KEY (deployment, version))
            """,
            """
            CREATE TABLE holds (
              deployment TEXT NOT NULL, environment TEXT NOT NULL, version TEXT NOT NULL, spec_hash TEXT NOT NULL,
              reason TEXT NOT NULL, seq BIGINT, time BIGINT NOT NULL,
              PRIMARY KEY (deployment, environment, version, spec_hash))
            """,
            """
            CREATE TABLE backup_runs (
              schedule TEXT NOT NULL, scheduled_for BIGINT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT,
              outcome TEXT NOT NULL, archive TEXT, size_bytes BIGINT, message TEXT,
              PRIMARY KEY (schedule, scheduled_for))
            """,
            """
            CREATE TABLE source_cursor (
              id INTEGER PRIMARY KEY CHECK (id = 1), last_seen_commit TEXT, last_applied_commit TEXT,
              errors TEXT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE action_keys (
              action_key TEXT PRIMARY KEY, state TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL,
              environment TEXT, started_at BIGINT NOT NULL, finished_at BIGINT, message TEXT)
            """,
            "CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ]
        switch dialect {
        case .sqlite:
            // An index of the file event log; the file is the record.
            statements.append("""
                CREATE TABLE events (
                  seq BIGINT PRIMARY KEY, time TEXT NOT NULL, type TEXT NOT NULL, resource TEXT, environment TEXT,
                  record TEXT NOT NULL)
                """)
            statements.append("INSERT INTO store_meta (name, value) VALUES ('\(StoreMeta.lastEventSeq)', '0')")
        case .postgres:
            // The event log itself: the exact canonical line of each record, and the chain's head.
            statements.append("""
                CREATE TABLE event_log (
                  seq BIGINT PRIMARY KEY, time TEXT NOT NULL, type TEXT NOT NULL, resource TEXT, environment TEXT,
                  record TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL)
                """)
            statements.append("""
                CREATE TABLE event_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)
                """)
            statements.append("INSERT INTO event_head (id, seq, hash) VALUES (1, 0, '\(String(repeating: "0", count: 64))')")
        }
        statements.append("CREATE INDEX events_by_resource ON \(dialect == .sqlite ? "events" : "event_log") (resource, seq)")
        return statements
    }
}

/// Names of `store_meta` rows.
enum StoreMeta {
    /// SQLite: the last file-log seq indexed in `events`.
    static let lastEventSeq = "last_event_seq"
}
