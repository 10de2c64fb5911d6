import Mustache

/// The status page's templates (DESIGN §12), Mustache: `{{value}}` is HTML-escaped (`< > & " '`),
/// and only `{{{content}}}` — a page already rendered from these templates — is not. Kept in the
/// binary so it serves the page with nothing beside it.
enum UITemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("layout", layout), ("pipeline", pipeline), ("deployment", deployment), ("events", events), ("login", login), ("message", message)] {
            // The templates are constants of this file: one that does not parse is a bug found by every page test.
            try! library.register(text, named: name)
        }
        return library
    }()

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>{{title}} · Steward</title>
        <link rel="stylesheet" href="/static/steward.css">
        {{#live}}<script src="/static/steward.js" defer></script>{{/live}}
        </head>
        <body data-seq="{{seq}}">
        <header class="bar">
        <a class="brand" href="/">Steward</a>
        <nav><a href="/">Pipeline</a><a href="/events">Events</a></nav>
        {{#live}}<span class="live" id="live" title="updates as events are written">live</span>{{/live}}
        {{#signedIn}}<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button class="link">sign out</button></form>{{/signedIn}}
        </header>
        <main id="main">{{{content}}}</main>
        </body>
        </html>
        """

    static let controller = """
        <dl class="facts">
        <div><dt>Applied commit</dt><dd><code>{{appliedShort}}</code></dd></div>
        <div><dt>Branch tip</dt><dd><code>{{seenShort}}</code></dd></div>
        <div><dt>Leader</dt><dd>{{leader}}</dd></div>
        <div><dt>Last pass</dt><dd>{{lastPass}}</dd></div>
        <div><dt>Next pass</dt><dd>{{nextPass}}</dd></div>
        </dl>
        """

    static let pipeline = """
        <h1>Pipeline</h1>
        {{#flash}}<p class="flash" role="status">{{.}}</p>{{/flash}}
        \(controller)
        {{#canAct}}<form method="post" action="/ui/reconcile" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button>Reconcile now</button></form>{{/canAct}}
        {{#lastError}}<p class="error" role="alert">last pass failed: {{.}}</p>{{/lastError}}
        {{#hasErrors}}<div class="errors" role="alert"><h2>Commit <code>{{seenShort}}</code> was not applied: {{errorCount}} validation error(s)</h2>
        <ul>{{#errors}}<li><code>{{location}}</code> {{message}}</li>{{/errors}}</ul></div>{{/hasErrors}}
        <section class="pipeline" aria-label="promotion pipeline">
        {{#environments}}<div class="stage" data-environment="{{name}}">
        <h2>{{name}}</h2>
        <p class="from">{{#promotesFrom}}promotes from {{.}}{{/promotesFrom}}{{^promotesFrom}}first stage{{/promotesFrom}}{{#approval}} · requires approval{{/approval}}</p>
        {{#deployments}}<article class="deployment state-{{sync}}" data-deployment="{{name}}">
        <h3><a href="/deployments/{{name}}">{{name}}</a> <span class="version">{{version}}</span></h3>
        <p><span class="badge sync-{{sync}}">{{sync}}</span> <span class="badge health-{{health}}">{{health}}</span></p>
        <p class="rollout">rollout: {{rollout}}</p>
        {{#blocked}}<p class="blocked">blocked: {{.}}</p>{{/blocked}}
        {{#holds}}<p class="hold">held: {{.}}</p>{{/holds}}
        {{#message}}<p class="message">{{.}}</p>{{/message}}
        {{#canApprove}}<form method="post" action="/ui/deployments/{{name}}/approve"><input type="hidden" name="csrf" value="{{csrf}}"><button>Approve pending version</button></form>{{/canApprove}}
        </article>{{/deployments}}
        {{^deployments}}<p class="empty">no deployments</p>{{/deployments}}
        </div>{{/environments}}
        {{^environments}}<p class="empty">nothing applied yet</p>{{/environments}}
        </section>
        <section><h2>Resources</h2>
        <div class="scroll"><table><thead><tr><th>Kind</th><th>Name</th><th>Environment</th><th>Version</th><th>Sync</th><th>Health</th><th>Description</th><th>Message</th></tr></thead>
        <tbody>{{#resources}}<tr><td>{{kind}}</td><td>{{name}}</td><td>{{environment}}</td><td>{{version}}</td><td><span class="badge sync-{{sync}}">{{sync}}</span></td><td><span class="badge health-{{health}}">{{health}}</span></td><td>{{description}}</td><td>{{message}}</td></tr>{{/resources}}</tbody></table></div>
        {{#moreResources}}<p class="note">{{.}}</p>{{/moreResources}}
        </section>
        """

    static let deployment = """
        <h1>Deployment {{name}}</h1>
        {{#flash}}<p class="flash" role="status">{{.}}</p>{{/flash}}
        {{#environments}}<section class="environment" data-environment="{{environment}}">
        <h2>{{environment}} <span class="version">{{version}}</span></h2>
        <p><span class="badge sync-{{sync}}">{{sync}}</span> <span class="badge health-{{health}}">{{health}}</span> · commit <code>{{commit}}</code> · rollout: {{rollout}}</p>
        {{#message}}<p class="message">{{.}}</p>{{/message}}
        {{#holds}}<p class="hold">held: {{.}}</p>{{/holds}}
        {{#canApprove}}<form method="post" action="/ui/deployments/{{name}}/approve"><input type="hidden" name="csrf" value="{{csrf}}"><button>Approve pending version</button></form>{{/canApprove}}
        </section>{{/environments}}
        {{^environments}}<p class="empty">not applied in any environment</p>{{/environments}}
        <section><h2>Why</h2>
        {{#explanations}}<pre class="explain">{{.}}</pre>{{/explanations}}
        {{#planNote}}<p class="note">{{.}}</p>{{/planNote}}
        </section>
        <section><h2>Plan</h2>
        {{#plan}}<ul class="plan">{{#actions}}<li><code>{{.}}</code></li>{{/actions}}{{#blocked}}<li class="blocked">blocked: {{.}}</li>{{/blocked}}</ul>{{/plan}}
        {{^plan}}<p class="empty">nothing to do</p>{{/plan}}
        </section>
        <section><h2>History</h2>
        <div class="scroll"><table><thead><tr><th>Time</th><th>Environment</th><th>Version</th><th>Action</th><th>Outcome</th><th>Commit</th><th>Seq</th></tr></thead>
        <tbody>{{#history}}<tr class="outcome-{{outcome}}"><td>{{time}}</td><td>{{environment}}</td><td>{{version}}</td><td>{{action}}</td><td>{{outcome}}</td><td><code>{{commit}}</code></td><td>{{seq}}</td></tr>{{/history}}</tbody></table></div>
        </section>
        <section><h2>Last events</h2>
        \(eventTable)
        <p><a href="/events?resource=Deployment/{{name}}">all events of {{name}}</a></p>
        </section>
        """

    static let eventTable = """
        <div class="scroll"><table class="events"><thead><tr><th>Seq</th><th>Time</th><th>Type</th><th>Resource</th><th>Environment</th><th>Message</th></tr></thead>
        <tbody>{{#events}}<tr class="type-{{type}}"><td>{{seq}}</td><td>{{time}}</td><td>{{type}}</td><td>{{resource}}</td><td>{{environment}}</td><td>{{message}}</td></tr>{{/events}}</tbody></table></div>
        {{^events}}<p class="empty">no events</p>{{/events}}
        """

    static let events = """
        <h1>Events</h1>
        <p class="verdict {{verdictClass}}">{{verdict}}</p>
        <form method="get" action="/events" class="filters">
        <label>Resource <input name="resource" value="{{resource}}" placeholder="Deployment/name"></label>
        <label>Type <input name="type" value="{{type}}" placeholder="rollback"></label>
        <label>Since seq <input name="since" value="{{since}}" inputmode="numeric"></label>
        <label><input type="checkbox" name="state" value="1"{{#state}} checked{{/state}}> state records</label>
        <button>Filter</button>
        </form>
        \(eventTable)
        """

    static let message = """
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        """

    static let login = """
        <h1>Sign in</h1>
        {{#flash}}<p class="error" role="alert">{{.}}</p>{{/flash}}
        <form method="post" action="/login" class="login">
        <label>API token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
        <input type="hidden" name="next" value="{{next}}">
        <button>Sign in</button>
        </form>
        <p class="note">The token is server.apiToken of the controller; the session is kept in an HttpOnly cookie.</p>
        """
}
