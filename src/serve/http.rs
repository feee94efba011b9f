//! A small HTTP/1.1 server for the preview: `GET` and `HEAD` from the private output folder.
//!
//! A request path is percent-decoded and checked before it touches the file system: `..` and
//! `.` segments (encoded or not), backslashes, NUL bytes and other control characters, empty
//! segments (`//etc`), drive letters (`/C:/…`) and invalid UTF-8 get 400. The file found must then canonicalize to a path
//! inside the output folder, so a symbolic link never leads out of it. Folders answer with their
//! `index.html` (and `/x` redirects to `/x/`), a missing file with the site's `404.html`, HTML
//! with the reload script injected. Every response says `Cache-Control: no-store`.
//!
//! Written on `std::net` rather than tiny_http 0.12, which cannot be made safe from outside:
//! it reads a request head without a bound (a 300 MB header took 800 MB), has no read timeout,
//! and when a handler drops a request it reads the rest of its body on the handler's thread
//! (after allocating `Content-Length` bytes), so eight clients that announced a large body and
//! sent a few bytes of it stopped every worker; its accept loop also ends for good on the first
//! accept error. Here every connection has a thread of its own (at most [`MAX_CONNECTIONS`]),
//! its request head must arrive whole within [`HEAD_TIMEOUT`] and [`HEAD_LIMIT`] bytes, a
//! request body is never read (the preview takes none: 413), responses are written with a
//! timeout, and every connection is closed after its response. A slow client holds its own
//! thread for a few seconds at most and delays no other.
//!
//! The `Host` header must name this machine (`localhost`, `*.localhost`, a loopback address)
//! or the address listened on (any address when that is all of them): a page on another site
//! whose name an attacker points at 127.0.0.1 (DNS rebinding) gets 403, not the site or its
//! status.

use std::io::{BufWriter, Read, Write};
use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::reload::{self, EVENTS_PATH};
use super::site::{mime_type, site_response};
use super::Shared;

const STATUS_PATH: &str = "/__opsbook/status";
/// The most bytes a request line and its headers may take: browsers send a few kilobytes,
/// cookies for `localhost` included.
pub(super) const HEAD_LIMIT: usize = 64 * 1024;
/// The most headers one request may have.
const MAX_HEADERS: usize = 100;
/// How long a connection has to send its whole request head, from when it was accepted.
pub(super) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one write of a response may wait for a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections answered at once (event streams have their own bound); more get 503.
pub(super) const MAX_CONNECTIONS: usize = 4096;
/// After a response to a request that sent more than its head, what is read (and dropped)
/// before closing, so that the response is not lost to a reset: at most this long and this much.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 256 * 1024;

/// Starts answering requests on `listener`, on threads of their own.
pub(super) fn start(listener: TcpListener, shared: Arc<Shared>) -> anyhow::Result<()> {
    let hosts = Hosts {
        bound: listener.local_addr()?.ip(),
    };
    let heartbeat = reload::heartbeat();
    std::thread::Builder::new()
        .name("opsbook-http".into())
        .spawn(move || accept(&listener, &shared, heartbeat, hosts))?;
    Ok(())
}

/// Takes connections for as long as the process runs: no error ends it (out of file
/// descriptors, a connection reset before it was taken…), it only waits a moment.
fn accept(listener: &TcpListener, shared: &Arc<Shared>, heartbeat: Duration, hosts: Hosts) {
    let pool = Arc::new(Pool::default());
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let mut state = pool.lock();
        if state.idle > state.waiting.len() {
            state.waiting.push_back(stream);
            pool.ready.notify_one();
            continue;
        }
        if state.threads >= MAX_CONNECTIONS {
            drop(state);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            Reply::text(503, "too many connections\n").write(stream, false, false);
            continue;
        }
        state.threads += 1;
        drop(state);
        let (threads, shared) = (Arc::clone(&pool), Arc::clone(shared));
        // Handlers read a file and write it: a small stack will do, for thousands of them.
        let spawned = std::thread::Builder::new()
            .name("opsbook-http".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut next = Some(stream);
                while let Some(stream) = next {
                    connection(stream, &shared, heartbeat, hosts);
                    next = threads.next();
                }
            });
        if spawned.is_err() {
            pool.lock().threads -= 1;
        }
    }
}

/// The threads that answer connections, one connection at a time each. A thread that has
/// answered one waits a while for the next rather than end: starting a thread for every
/// connection cost a burst of a thousand connections 40% of its requests a second.
#[derive(Default)]
struct Pool {
    state: std::sync::Mutex<PoolState>,
    ready: std::sync::Condvar,
}

#[derive(Default)]
struct PoolState {
    /// Connections taken, waiting for an idle thread (never more than there are idle threads).
    waiting: std::collections::VecDeque<TcpStream>,
    idle: usize,
    threads: usize,
}

/// How long a thread without a connection waits for one before it ends.
const IDLE_THREAD: Duration = Duration::from_secs(5);
/// How many threads wait for a connection at most; the others end. The allocator keeps memory
/// for each thread that lives on (a thousand of them held 8 GB), and gives it back when the
/// thread ends.
const MAX_IDLE_THREADS: usize = 32;

impl Pool {
    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next connection for a thread that has finished one; `None` when none came in time
    /// (the thread then ends).
    fn next(&self) -> Option<TcpStream> {
        let deadline = Instant::now() + IDLE_THREAD;
        let mut state = self.lock();
        if state.idle >= MAX_IDLE_THREADS {
            state.threads -= 1;
            return None;
        }
        state.idle += 1;
        loop {
            if let Some(stream) = state.waiting.pop_front() {
                state.idle -= 1;
                return Some(stream);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.idle -= 1;
                state.threads -= 1;
                return None;
            }
            state = self
                .ready
                .wait_timeout(state, left)
                .map_or_else(|e| e.into_inner().0, |(state, _)| state);
        }
    }
}

/// The names a request may give the preview in its `Host` header.
#[derive(Clone, Copy)]
struct Hosts {
    /// The address listened on.
    bound: IpAddr,
}

impl Hosts {
    /// `localhost` and its subdomains, loopback addresses and the address listened on, with
    /// any port; any IP address when the server listens on all of them (`--bind 0.0.0.0`): a
    /// rebinding attack needs a name of its own, never an address.
    fn allow(self, host: &str) -> bool {
        let host = host.trim();
        let name = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((v6, port)) if port.is_empty() || is_port(port) => v6,
                _ => return false,
            },
            None => match host.rsplit_once(':') {
                Some((name, port)) if is_port(port) => name,
                Some(_) => return false,
                None => host,
            },
        };
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bound || self.bound.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `:8080` without its colon: digits only (or nothing, `host:`).
fn is_port(text: &str) -> bool {
    let digits = text.strip_prefix(':').unwrap_or(text);
    digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A request as the preview reads it: the head only.
pub(super) struct Request {
    stream: TcpStream,
    method: String,
    target: String,
    /// Whether the client sent (or announced) more than its head, which is never read.
    more: bool,
}

impl Request {
    fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    /// The request target as sent: path and query.
    pub(super) fn target(&self) -> &str {
        &self.target
    }

    /// The connection, for a response written over time (the event stream).
    pub(super) fn into_writer(self) -> Box<dyn Write + Send> {
        Box::new(BufWriter::new(self.stream))
    }
}

/// Reads one request from `stream` and answers it; the connection is closed after.
fn connection(mut stream: TcpStream, shared: &Shared, heartbeat: Duration, hosts: Hosts) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (head, extra) = match read_head(&mut stream) {
        Ok(read) => read,
        Err(None) => return,
        Err(Some((status, text))) => return Reply::text(status, text).write(stream, false, true),
    };
    let more = extra || head.has_body();
    let refused = match (&head.host, head.old) {
        (None, false) => Some((400, "a Host header is needed\n")),
        (Some(host), _) if !hosts.allow(host) => Some((
            403,
            "opsbook serve answers for localhost and the address it listens on only\n",
        )),
        _ if !matches!(head.method.as_str(), "GET" | "HEAD") => None,
        _ if head.has_body() => Some((413, "the preview takes no request body\n")),
        _ => None,
    };
    let request = Request {
        stream,
        method: head.method,
        target: head.target,
        more,
    };
    match refused {
        Some((status, text)) => Reply::text(status, text).send(request),
        None => handle(request, shared, heartbeat),
    }
}

/// What a request head says that the preview needs.
struct Head {
    method: String,
    target: String,
    /// HTTP/1.0, which may leave out `Host`.
    old: bool,
    host: Option<String>,
    content_length: Option<u64>,
    chunked: bool,
}

impl Head {
    fn has_body(&self) -> bool {
        self.chunked || self.content_length.is_some_and(|n| n > 0)
    }
}

/// A reply to send before closing, or `None` to close at once.
type Refusal = Option<(u16, &'static str)>;

/// Reads the request head, within [`HEAD_TIMEOUT`] and [`HEAD_LIMIT`]; also whether bytes
/// came after it.
fn read_head(stream: &mut TcpStream) -> Result<(Head, bool), Refusal> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut buffer: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 8192];
    loop {
        let searched = buffer.len();
        let room = HEAD_LIMIT + 4 - buffer.len();
        if room == 0 {
            return Err(Some((431, "the request head is too large\n")));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Some((408, "the request head took too long\n")));
        }
        let want = room.min(chunk.len());
        let read = match stream.read(&mut chunk[..want]) {
            Ok(0) => return Err(None),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Some((408, "the request head took too long\n")))
            }
            Err(_) => return Err(None),
        };
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = head_end(&buffer, searched.saturating_sub(3)) {
            let head = parse_head(&buffer[..end])?;
            return Ok((head, buffer.len() > end));
        }
    }
}

/// Where the head ends (after its blank line), searching from `from`.
fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find_map(|i| {
        let rest = &bytes[i..];
        if rest.starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if rest.starts_with(b"\n\n") {
            Some(i + 2)
        } else if rest.starts_with(b"\n\r\n") {
            Some(i + 3)
        } else {
            None
        }
    })
}

fn parse_head(bytes: &[u8]) -> Result<Head, Refusal> {
    const BAD: Refusal = Some((400, "bad request\n"));
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        // Empty lines before the request line are allowed (RFC 9112, 2.2).
        .skip_while(|l| l.is_empty());
    let line = std::str::from_utf8(lines.next().ok_or(BAD)?).map_err(|_| BAD)?;
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(BAD);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) || target.is_empty() {
        return Err(BAD);
    }
    let old = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return Err(Some((505, "HTTP/1.1 only\n"))),
        _ => return Err(BAD),
    };
    let mut head = Head {
        method: method.to_string(),
        target: target.to_string(),
        old,
        host: None,
        content_length: None,
        chunked: false,
    };
    for (count, line) in lines.filter(|l| !l.is_empty()).enumerate() {
        if count == MAX_HEADERS {
            return Err(Some((431, "too many headers\n")));
        }
        // A line starting with whitespace continues the one before (obsolete): refused, as
        // the RFC allows.
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            return Err(BAD);
        }
        let colon = line.iter().position(|b| *b == b':').ok_or(BAD)?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
            return Err(BAD);
        }
        let value = String::from_utf8_lossy(value)
            .trim_matches([' ', '\t'])
            .to_string();
        if name.eq_ignore_ascii_case(b"host") {
            if head.host.is_some() {
                return Err(BAD);
            }
            head.host = Some(value);
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let length: u64 = value
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| value.parse().ok())
                .flatten()
                .ok_or(BAD)?;
            if head.content_length.is_some_and(|l| l != length) {
                return Err(BAD);
            }
            head.content_length = Some(length);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            head.chunked = true;
        }
    }
    Ok(head)
}

fn handle(request: Request, shared: &Shared, heartbeat: Duration) {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        let reply = Reply::text(405, "only GET and HEAD\n").with("Allow", "GET, HEAD");
        return reply.send(request);
    }
    let target = request.target.clone();
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH {
        return shared.hub.serve(request, heartbeat);
    }
    let reply = {
        let _turn = BUILDERS.enter();
        match path {
            STATUS_PATH => Reply {
                status: 200,
                content_type: mime_type("json"),
                body: shared.status_json().into_bytes(),
                headers: Vec::new(),
            },
            _ => site_response(&target, shared),
        }
    };
    // Written after the turn is given back: a client that reads slowly holds only its own
    // thread.
    reply.send(request);
}

/// Connections whose response is being made (files read, the script injected) at once: a
/// thousand threads doing it together on two cores answered fewer requests a second, with a
/// longer tail, than a few taking turns.
static BUILDERS: Turns = Turns::new(8);

/// A counting semaphore.
struct Turns {
    free: std::sync::Mutex<usize>,
    given_back: std::sync::Condvar,
}

/// A turn of [`Turns`], given back when dropped.
struct Turn<'a>(&'a Turns);

impl Turns {
    const fn new(count: usize) -> Turns {
        Turns {
            free: std::sync::Mutex::new(count),
            given_back: std::sync::Condvar::new(),
        }
    }

    fn enter(&self) -> Turn<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self
                .given_back
                .wait(free)
                .unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.given_back.notify_one();
    }
}

/// A complete response.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: Vec<u8>,
    pub(super) headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(super) fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: mime_type("txt"),
            body: text.as_bytes().to_vec(),
            headers: Vec::new(),
        }
    }

    pub(super) fn with(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response (headers only for HEAD) and closes the connection.
    pub(super) fn send(self, request: Request) {
        let head_only = request.is_head();
        self.write(request.stream, head_only, request.more);
    }

    /// Writes the response on `stream` and closes it; `more`: the client sent more than its
    /// head, which is read and dropped for a moment first, so that closing a connection with
    /// unread bytes does not reset it before the client has read the response.
    fn write(self, stream: impl Into<Option<TcpStream>>, head_only: bool, more: bool) {
        let Some(mut stream) = stream.into() else {
            return;
        };
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut response = head.into_bytes();
        if !head_only {
            response.extend_from_slice(&self.body);
        }
        if stream.write_all(&response).is_ok() && more {
            linger(&mut stream);
        }
    }
}

/// Closes our side, then reads what the client still sends for [`LINGER`] at most.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + LINGER;
    let mut drained = 0;
    let mut sink = [0u8; 8192];
    while drained < LINGER_BYTES {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads_are_read_strictly() {
        let head = parse_head(b"\r\nGET /a?b HTTP/1.1\r\nHOST:  x:1 \r\nContent-Length: 0\r\n\r\n")
            .unwrap_or_else(|_| panic!("refused"));
        assert_eq!(
            (head.method.as_str(), head.target.as_str()),
            ("GET", "/a?b")
        );
        assert_eq!(head.host.as_deref(), Some("x:1"));
        assert!(!head.has_body() && !head.old);
        let posted = parse_head(b"POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n");
        assert!(posted.is_ok_and(|h| h.has_body() && h.old));
        for (bad, status) in [
            (&b"GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n"[..], 400),
            (
                b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400),
            (b"GET /  HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\n\r\n", 505),
            (b"GET /\r\n\r\n", 400),
            (b"G\xffT / HTTP/1.1\r\n\r\n", 400),
        ] {
            let refused = parse_head(bad).err().flatten().map(|(s, _)| s);
            assert_eq!(refused, Some(status), "{:?}", String::from_utf8_lossy(bad));
        }
        let many: String = (0..=MAX_HEADERS).map(|n| format!("X-{n}: v\r\n")).collect();
        let refused = parse_head(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes());
        assert_eq!(refused.err().flatten().map(|(s, _)| s), Some(431));
    }

    #[test]
    fn hosts_are_this_machines_names_and_addresses() {
        let local = Hosts {
            bound: "127.0.0.1".parse().unwrap(),
        };
        let lan = Hosts {
            bound: "192.168.1.20".parse().unwrap(),
        };
        let all = Hosts {
            bound: "0.0.0.0".parse().unwrap(),
        };
        for host in [
            "localhost",
            "localhost:1111",
            "a.b.localhost:8080",
            "127.0.0.1",
            "[::1]:1",
            "[::1]",
        ] {
            assert!(
                local.allow(host) && lan.allow(host) && all.allow(host),
                "{host}"
            );
        }
        assert!(lan.allow("192.168.1.20:1111") && !local.allow("192.168.1.20:1111"));
        assert!(all.allow("10.1.2.3:1111") && all.allow("[fe80::1]:1111"));
        for host in [
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "2130706433",
            "localhost:x",
            "[::1",
            "",
        ] {
            assert!(
                !local.allow(host) && !lan.allow(host) && !all.allow(host),
                "{host}"
            );
        }
    }
}
