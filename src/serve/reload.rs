//! Live reload over Server-Sent Events (one response written over time, no WebSocket): the event stream at
//! `/__opsbook/events`, the broadcaster that feeds every open stream, and the script injected
//! into each HTML response (never into the files on disk).
//!
//! Events: `hello` (the server instance and site version, sent on connect), `reload` after a
//! successful rebuild, `css` when only stylesheets changed (the page swaps its stylesheets), and
//! `error` with a JSON list of `{message, file, line, column, hint}` when a build failed. A new
//! client of a broken site gets the `error` at once. Each client has its own thread, which sends
//! a heartbeat comment every [`heartbeat`] and ends as soon as a write fails.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Problem;

/// The path of the event stream.
pub(super) const EVENTS_PATH: &str = "/__opsbook/events";
/// More open streams than this get 503: each holds a thread.
const MAX_CLIENTS: usize = 512;

/// Something every open page should hear about.
#[derive(Debug, Clone)]
pub(super) enum Event {
    Reload(u64),
    Css(u64),
    Error(Vec<Problem>),
}

impl Event {
    /// The event as it goes on the wire.
    fn to_sse(&self) -> String {
        match self {
            Event::Reload(generation) => format!("event: reload\ndata: {generation}\n\n"),
            Event::Css(generation) => format!("event: css\ndata: {generation}\n\n"),
            Event::Error(problems) => format!(
                "event: error\ndata: {}\n\n",
                serde_json::to_string(problems).unwrap_or_else(|_| "[]".into())
            ),
        }
    }
}

/// An open event stream and the page it was opened from (its path, as the page tells it).
struct Client {
    sender: Sender<Arc<str>>,
    page: String,
}

struct HubState {
    clients: Vec<Client>,
    /// The last `error` event while the site is broken, for clients that connect later.
    error: Option<Arc<str>>,
    generation: u64,
}

/// Sends events to every open stream.
pub(super) struct Hub {
    state: Mutex<HubState>,
    active: Arc<AtomicUsize>,
    /// Tells this server's pages from an earlier one's, so a page reloads after a restart.
    instance: String,
}

impl Hub {
    pub(super) fn new() -> Hub {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Hub {
            state: Mutex::new(HubState {
                clients: Vec::new(),
                error: None,
                generation: 0,
            }),
            active: Arc::default(),
            instance: format!("{:x}-{:x}", std::process::id(), nanos),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Open event streams.
    pub(super) fn clients(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// The version a page served now shows: `instance-generation`.
    pub(super) fn version(&self) -> String {
        format!("{}-{}", self.instance, self.lock().generation)
    }

    /// The pages open in a browser now, by path, each once: a rebuild renders them first.
    pub(super) fn open_pages(&self) -> Vec<String> {
        let mut pages: Vec<String> = self.lock().clients.iter().map(|c| c.page.clone()).collect();
        pages.sort();
        pages.dedup();
        pages.retain(|page| !page.is_empty());
        pages
    }

    /// Sends `event` to every stream, dropping those whose page has gone.
    pub(super) fn broadcast(&self, event: Event) {
        self.broadcast_where(event, |_| true);
    }

    /// Sends `event` to the streams opened from the pages `to` accepts, dropping those whose
    /// page has gone.
    pub(super) fn broadcast_where(&self, event: Event, to: impl Fn(&str) -> bool) {
        let text: Arc<str> = event.to_sse().into();
        let mut state = self.lock();
        match event {
            Event::Error(_) => state.error = Some(Arc::clone(&text)),
            Event::Reload(generation) | Event::Css(generation) => {
                state.error = None;
                state.generation = generation;
            }
        }
        state
            .clients
            .retain(|client| !to(&client.page) || client.sender.send(Arc::clone(&text)).is_ok());
    }

    /// Answers a request for the event stream on a thread of its own.
    pub(super) fn serve(&self, request: super::http::Request, heartbeat: Duration) {
        if self.clients() >= MAX_CLIENTS {
            super::http::Reply::text(503, "too many open pages\n").send(request);
            return;
        }
        let (sender, receiver) = mpsc::channel();
        let greeting = {
            let mut state = self.lock();
            let mut greeting = format!(
                "retry: 1000\n\nevent: hello\ndata: {}-{}\n\n",
                self.instance, state.generation
            );
            if let Some(error) = &state.error {
                greeting.push_str(error);
            }
            state.clients.push(Client {
                sender,
                page: page_of(request.target()),
            });
            greeting
        };
        let active = Arc::clone(&self.active);
        active.fetch_add(1, Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("opsbook-sse".into())
            .spawn(move || {
                let _count = Counted(Arc::clone(&active));
                let writer = request.into_writer();
                let _ = stream(writer, &greeting, &receiver, heartbeat);
            });
        if spawned.is_err() {
            self.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The page an event stream was opened from (`?page=`, the page's path URI-encoded), decoded,
/// as a path from the site root: `/runbooks/x/`. Empty when it names none, or a path that could
/// step outside the site.
fn page_of(target: &str) -> String {
    let query = target.split_once('?').map_or("", |(_, query)| query);
    let Some(value) = query.split('&').find_map(|pair| pair.strip_prefix("page=")) else {
        return String::new();
    };
    let path = super::site::percent_decode(value.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    super::site::decode_path(&path)
        .map(|segments| format!("/{}", segments.join("/")))
        .unwrap_or_default()
}

/// Decrements the open-stream count when a stream's thread ends.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes the response head, then events and heartbeats as chunks until the page goes away.
fn stream(
    mut writer: Box<dyn Write + Send>,
    greeting: &str,
    events: &Receiver<Arc<str>>,
    heartbeat: Duration,
) -> std::io::Result<()> {
    writer.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
          Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: keep-alive\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )?;
    chunk(&mut writer, greeting)?;
    loop {
        match events.recv_timeout(heartbeat) {
            Ok(text) => chunk(&mut writer, &text)?,
            Err(RecvTimeoutError::Timeout) => chunk(&mut writer, ": heartbeat\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

fn chunk(writer: &mut impl Write, text: &str) -> std::io::Result<()> {
    write!(writer, "{:x}\r\n{text}\r\n", text.len())?;
    writer.flush()
}

/// The heartbeat interval: 15 s, or `OPSBOOK_SERVE_HEARTBEAT_MS` (for tests).
pub(super) fn heartbeat() -> Duration {
    let millis = std::env::var("OPSBOOK_SERVE_HEARTBEAT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .unwrap_or(15_000);
    Duration::from_millis(millis)
}

/// The script every HTML response gets just before `</body>`. `__VERSION__` is replaced by the
/// version the page shows. It builds the overlay with `textContent` only.
const SCRIPT: &str = r#"<script id="opsbook-serve-reload">
(() => {
  "use strict";
  const LOADED = "__VERSION__";
  const KEY = "opsbook-serve-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    const restore = () => window.scrollTo(0, Number(saved));
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore, { once: true });
  }
  const reload = () => {
    sessionStorage.setItem(KEY, String(window.scrollY));
    location.reload();
  };
  let overlay = null;
  const hide = () => { if (overlay) { overlay.remove(); overlay = null; } };
  const el = (tag, text, css) => {
    const node = document.createElement(tag);
    node.textContent = text;
    node.style.cssText = css;
    return node;
  };
  const show = (problems) => {
    hide();
    overlay = el("div", "", "position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;"
      + "padding:2rem;background:rgba(12,12,12,.96);color:#fff;text-align:left;"
      + "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace");
    overlay.id = "opsbook-serve-overlay";
    overlay.setAttribute("role", "alert");
    const close = el("button", "\u00d7", "float:right;font:inherit;font-size:1.5rem;line-height:1;"
      + "color:#fff;background:none;border:1px solid #888;border-radius:4px;padding:0 .5rem;cursor:pointer");
    close.setAttribute("aria-label", "Hide");
    close.addEventListener("click", hide);
    overlay.append(close, el("h2", "opsbook: the build failed \u2014 this is the last good version",
      "margin:0 0 1rem;font:700 1.25rem/1.3 system-ui,sans-serif;color:#ff8a80"));
    const list = el("ol", "", "margin:0;padding-left:1.5rem");
    for (const p of problems) {
      const where = p.file ? p.file + (p.line ? ":" + p.line + (p.column ? ":" + p.column : "") : "") : "";
      const item = el("li", "", "margin:0 0 1rem");
      item.className = "opsbook-serve-problem";
      if (where) item.append(el("div", where, "color:#ffd54f;font-weight:700"));
      item.append(el("div", p.message, "white-space:pre-wrap"));
      if (p.hint) item.append(el("div", "hint: " + p.hint, "color:#b3e5fc;white-space:pre-wrap"));
      list.append(item);
    }
    overlay.append(list);
    document.body.append(overlay);
  };
  const swapStylesheets = (version) => {
    hide();
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]:not([data-opsbook-old])')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("v", version);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      link.dataset.opsbookOld = "";
      const drop = () => link.remove();
      fresh.addEventListener("load", drop, { once: true });
      fresh.addEventListener("error", drop, { once: true });
      link.after(fresh);
    }
  };
  const events = new EventSource("/__opsbook/events?page=" + encodeURIComponent(location.pathname));
  events.addEventListener("hello", (e) => { if (e.data !== LOADED) reload(); });
  events.addEventListener("reload", reload);
  events.addEventListener("css", (e) => swapStylesheets(e.data));
  events.addEventListener("error", (e) => { if (typeof e.data === "string") show(JSON.parse(e.data)); });
})();
</script>
"#;

/// `html` with the reload script inserted before its last `</body>` (appended when it has none).
pub(super) fn inject(html: &[u8], version: &str) -> Vec<u8> {
    let script = SCRIPT.replace("__VERSION__", version);
    let at = find_last_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_body_end(html: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body";
    (0..=html.len().checked_sub(TAG.len())?)
        .rev()
        .find(|&i| html[i..i + TAG.len()].eq_ignore_ascii_case(TAG))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end_and_nothing_else_changes() {
        let page = b"<html><body><p>a</p><pre></body></pre></BODY>\n</html>\n";
        let out = String::from_utf8(inject(page, "v-1")).unwrap();
        let start = out.find("<script id=\"opsbook-serve-reload\">").unwrap();
        let end = out[start..].find("</script>\n").unwrap() + start + "</script>\n".len();
        assert_eq!(&out[end..], "</BODY>\n</html>\n");
        let stripped = format!("{}{}", &out[..start], &out[end..]);
        assert_eq!(stripped.as_bytes(), page);
        assert!(out.contains("const LOADED = \"v-1\";"));
        assert!(!out.contains("innerHTML"));
    }

    #[test]
    fn a_page_without_body_gets_the_script_at_the_end() {
        let out = inject(b"<p>x</p>", "v");
        assert!(out.starts_with(b"<p>x</p><script"));
    }

    #[test]
    fn events_are_single_sse_messages() {
        let problem = Problem {
            message: "bad\nvalue".into(),
            file: "content/a.md".into(),
            line: 2,
            column: 9,
            hint: None,
        };
        let text = Event::Error(vec![problem]).to_sse();
        assert!(text.starts_with("event: error\ndata: [{"));
        assert_eq!(text.matches('\n').count(), 3, "{text}");
        assert_eq!(Event::Css(4).to_sse(), "event: css\ndata: 4\n\n");
    }

    #[test]
    fn a_broken_site_greets_new_clients_with_its_error_until_fixed() {
        let hub = Hub::new();
        hub.broadcast(Event::Error(Vec::new()));
        assert!(hub.lock().error.is_some());
        hub.broadcast(Event::Reload(1));
        assert!(hub.lock().error.is_none());
        assert!(hub.version().ends_with("-1"));
    }
}
