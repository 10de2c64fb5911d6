/// The status page's one stylesheet and one small script, served by the binary (no CDN).
enum UIAssets {
    static let css = """
        :root { --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #f6f8fa;
          --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --info: #0969da; color-scheme: light dark; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --card: #161b22;
            --ok: #3fb950; --warn: #d29922; --bad: #f85149; --info: #58a6ff; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
        a { color: var(--info); }
        code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; }
        .bar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        .bar nav { display: flex; gap: 1rem; }
        .live { margin-left: auto; font-size: 12px; color: var(--muted); }
        .live.on::before { content: "● "; color: var(--ok); }
        .live.off::before { content: "● "; color: var(--bad); }
        main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
        h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
        h3 { font-size: 1rem; margin: 0 0 .3rem; }
        .facts { display: flex; flex-wrap: wrap; gap: .3rem 1.5rem; margin: 0 0 1rem; }
        .facts div { display: flex; gap: .4rem; } .facts dt { color: var(--muted); } .facts dd { margin: 0; }
        .pipeline { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(240px, 1fr); gap: 1rem; overflow-x: auto; }
        @media (max-width: 640px) { .pipeline { grid-auto-flow: row; } }
        .stage { border: 1px solid var(--line); border-radius: 8px; padding: .7rem; background: var(--card); }
        .stage h2 { margin-top: 0; } .from, .note, .empty { color: var(--muted); font-size: 13px; }
        .deployment { border: 1px solid var(--line); border-left: 4px solid var(--ok); border-radius: 6px; padding: .6rem; margin: .5rem 0; background: var(--bg); }
        .deployment.state-OutOfSync { border-left-color: var(--warn); } .deployment.state-Blocked { border-left-color: var(--bad); }
        .deployment p { margin: .25rem 0; }
        .version { font-weight: 400; color: var(--muted); font-family: ui-monospace, monospace; }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: 12px; border: 1px solid var(--line); }
        .sync-Synced, .health-Healthy { color: var(--ok); } .sync-OutOfSync, .health-Progressing, .health-Unknown { color: var(--warn); }
        .sync-Blocked, .health-Degraded, .health-Missing { color: var(--bad); }
        .blocked, .hold, .error, .verdict.broken { color: var(--bad); } .verdict.valid { color: var(--ok); }
        .flash { border: 1px solid var(--info); border-radius: 6px; padding: .4rem .6rem; }
        .errors { border: 1px solid var(--bad); border-radius: 6px; padding: .2rem .8rem; margin-bottom: 1rem; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        .type-rollback td, .type-actionFailed td, .outcome-failed td, .outcome-rolledBack td { color: var(--bad); }
        pre.explain { white-space: pre-wrap; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem; }
        form.inline { display: inline; } .filters, .login { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
        label { display: flex; flex-direction: column; gap: .2rem; font-size: 13px; color: var(--muted); }
        input { font: inherit; padding: .3rem .4rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
        button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); cursor: pointer; }
        button.link { border: 0; background: none; color: var(--info); padding: 0; }
        """

    /// Long-polls `/ui/live` for a record after the page's seq, then fetches the page's main part
    /// again and swaps it in: live without reloading.
    static let js = """
        (function () {
          "use strict";
          var main = document.getElementById("main"), badge = document.getElementById("live");
          if (!main) { return; }
          var seq = Number(document.body.getAttribute("data-seq") || "0");
          function mark(on) { if (badge) { badge.className = "live " + (on ? "on" : "off"); } }
          function refresh() {
            return fetch(location.pathname + location.search, { headers: { "X-Steward-Fragment": "main" }, credentials: "same-origin" })
              .then(function (r) {
                if (!r.ok) { throw new Error("HTTP " + r.status); }
                var next = Number(r.headers.get("X-Steward-Seq") || seq);
                return r.text().then(function (html) { main.innerHTML = html; seq = Math.max(seq, next); document.body.setAttribute("data-seq", String(seq)); });
              });
          }
          function poll() {
            fetch("/ui/live?since=" + seq + "&wait=25", { credentials: "same-origin", cache: "no-store" })
              .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
              .then(function (body) { mark(true); return body.seq > seq ? refresh() : null; })
              .then(function () { setTimeout(poll, 0); })
              .catch(function () { mark(false); setTimeout(poll, 2000); });
          }
          mark(true);
          poll();
        })();
        """
}
