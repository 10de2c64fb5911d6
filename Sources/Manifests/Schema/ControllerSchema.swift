/// The schema of `controller.yaml` (`ControllerConfig`, DESIGN §3).
enum ControllerSchema {
    static let source = JSONSchema.object([
        "repository": JSONSchema.string(minLength: 1).described("A local path or a URL libgit2 can fetch."),
        "branch": JSONSchema.string(minLength: 1).described("The watched branch (default main)."),
        "path": JSONSchema.string(minLength: 1).described("Sub-folder of the repository holding manifests (default .)."),
        "interval": JSONSchema.string(pattern: SchemaParts.durationPattern).described("Poll interval, e.g. 30s, 5m, 1h30m."),
        "auth": JSONSchema.object([
            "sshKey": SchemaParts.secretRef("SSH private key."),
            "knownHosts": SchemaParts.secretRef("known_hosts file."),
            "username": JSONSchema.string(minLength: 1),
            "password": SchemaParts.secretRef("Password or token for HTTPS."),
        ]).described("Credentials for fetching: sshKey (+ knownHosts) or username + password."),
        "allowForcePush": JSONSchema.boolean.described("Accept a non-fast-forward move of the branch (default false: held)."),
        "connectTimeout": JSONSchema.string(pattern: SchemaParts.durationPattern)
            .described("How long a fetch waits for the remote's first answer (default 15s)."),
        "transferTimeout": JSONSchema.string(pattern: SchemaParts.durationPattern)
            .described("How long a fetch waits between two signs of progress (default 60s)."),
        "verify": JSONSchema.object([
            "mode": JSONSchema.oneOf(ControllerConfig.VerifyMode.self)
                .described("head: the commit to apply must be signed by an allowed key; strict: every commit since the last verified one too."),
            "allowedSigners": fileRef("OpenSSH allowed-signers file for SSH signatures (ssh-keygen -Y verify)."),
            "keyring": fileRef("OpenPGP keyring for gpgv (gpg --export KEYID > keyring.gpg)."),
        ], required: ["mode"]).described("Commit signatures checked before anything is applied (DESIGN §13)."),
    ], required: ["repository"])

    static func fileRef(_ description: String) -> JSONSchema {
        JSONSchema.object(["file": JSONSchema.string(minLength: 1).described("A path, relative to controller.yaml.")], required: ["file"])
            .described(description)
    }

    static let store = JSONSchema.object([
        "url": JSONSchema.exactlyOne([
            JSONSchema.string(pattern: "^(sqlite|postgres|postgresql)://").described("sqlite://PATH or postgres://user@host:5432/db."),
            SchemaParts.secretRef("The store URL."),
        ]).described("The state store (default sqlite://.steward/state.db)."),
    ])

    static let reconcile = JSONSchema.object([
        "prune": JSONSchema.boolean.described("Remove what Git no longer has (only what Steward applied)."),
        "selfHeal": JSONSchema.boolean.described("Re-apply when a target drifted from what was applied."),
        "allowEmpty": JSONSchema.boolean.described("Accept a commit with no resources at all."),
        "concurrency": JSONSchema.integer(minimum: 1),
        "probeConcurrency": JSONSchema.integer(minimum: 1).described("How many targets are probed at once (default 16)."),
        "retry": JSONSchema.object([
            "initialSeconds": JSONSchema.number(exclusiveMinimum: .int(0)),
            "maxSeconds": JSONSchema.number(exclusiveMinimum: .int(0)),
        ]).described("Backoff after a failed pass."),
        "fullProbeInterval": JSONSchema.string(pattern: SchemaParts.durationPattern)
            .described("How long an unchanged file (same inode, size, times) stands for its content before a probe reads it in full again (default 10m)."),
    ])

    static let notification = JSONSchema.object([
        "name": JSONSchema.string(pattern: "^[^/\\s]+$").described("Names the receiver in metrics and logs (default: its type)."),
        "type": JSONSchema.oneOf(NotificationType.self),
        "url": JSONSchema.exactlyOne([
            JSONSchema.string(pattern: "^https?://").described("webhook: where events are POSTed."),
            SchemaParts.secretRef("slack: the incoming-webhook URL."),
        ]),
        "secret": SchemaParts.secretRef("webhook: the key of the X-Steward-Signature HMAC-SHA256."),
        "apiURL": JSONSchema.string(pattern: "^https?://").described("github / gitlab: the API root of an enterprise server."),
        "repository": JSONSchema.string(pattern: "^[^/]+/[^/]+$").described("github: owner/name."),
        "project": JSONSchema.string(minLength: 1).described("gitlab: the project id or group/project."),
        "token": SchemaParts.secretRef("github / gitlab: the API token."),
        "events": JSONSchema.array(.string(minLength: 1)).described("Event types or reasons sent, e.g. [rollback, actionFailed, held]."),
        "retry": JSONSchema.object([
            "initialSeconds": JSONSchema.number(exclusiveMinimum: .int(0)),
            "maxSeconds": JSONSchema.number(exclusiveMinimum: .int(0)),
        ]).described("Backoff between delivery attempts (default 1 s to 300 s)."),
    ], required: ["type"])

    static let schema = JSONSchema.object([
        "source": source,
        "store": store,
        "eventLog": JSONSchema.object([
            "directory": JSONSchema.string(minLength: 1).described("The file event log (used with SQLite)."),
            "segmentBytes": JSONSchema.integer(minimum: 1).described("Rotate log segments at this size."),
        ]),
        "server": JSONSchema.object([
            "listen": JSONSchema.string(minLength: 1).described("HOST:PORT of /healthz, /readyz, /metrics and /api (default 127.0.0.1:9600)."),
            "webhookSecret": SchemaParts.secretRef("Secret of POST /webhooks/git; unset: 404."),
            "apiToken": SchemaParts.secretRef("Bearer token that guards every /api/* route."),
            "ui": JSONSchema.exactlyOne([
                JSONSchema.boolean,
                JSONSchema.string(pattern: "^readOnly$"),
            ]).described("The web status page at / (default true); readOnly: without its buttons."),
        ]),
        "reconcile": reconcile,
        "drivers": JSONSchema.object([
            "local": JSONSchema.object([
                "allowedRoots": JSONSchema.array(.string(minLength: 1)).described("Local driver roots must lie inside one of these."),
            ]),
            "exec": JSONSchema.object([
                "allowedCommands": JSONSchema.array(.string(minLength: 1)).described("Absolute commands allowed besides repository scripts."),
            ]),
        ]),
        "leaderElection": JSONSchema.object(["leaseSeconds": JSONSchema.integer(minimum: 1)]),
        "git": JSONSchema.object([
            "author": JSONSchema.object([
                "name": JSONSchema.string(minLength: 1),
                "email": JSONSchema.string(minLength: 1),
            ], required: ["name", "email"]).described("Author and committer of the commits Steward writes."),
            "push": JSONSchema.boolean.described("Push the commits Steward makes."),
            "signingKey": fileRef("SSH private key that signs the commits Steward writes, so they pass source.verify."),
        ]),
        "notifications": JSONSchema.array(notification).described("Receivers told of events and commit results (DESIGN §12)."),
    ], required: ["source"])
        .document(title: "Steward controller.yaml", description: "The configuration of the Steward controller (DESIGN §3).")
}
