//! `ioband exporter`: the status for Prometheus, over HTTP (tiny_http: a
//! small blocking server, one request at a time, no async runtime; a
//! scrape every few seconds needs no more) or into a textfile.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::metrics;
use crate::render::{self, DeviceSnapshot};

use super::inspect::gather;

/// What the previous sample saw, for the share each group achieved since.
type Previous = Option<(Vec<DeviceSnapshot>, f64)>;

/// One sample of `names` (all ioband devices when empty) as a status
/// document, with rates since `prev`, which it then replaces.
fn sample(ctx: &Ctx<'_>, names: &[String], prev: &mut Previous) -> Result<render::StatusDoc> {
    let (all, shown) = gather(ctx, names, true, false)?;
    let now = ctx.sys.now_secs();
    let rates = match prev {
        Some((p, t)) if now > *t => render::rates(p, &shown, now - *t),
        _ => render::Rates::default(),
    };
    let doc = render::status_doc(&shown, &all, ctx.names, Some(&rates));
    *prev = Some((shown, now));
    Ok(doc)
}

/// `ioband exporter --listen ADDR`: serve until killed.
pub(super) fn serve_on(names: &[String], addr: SocketAddr, ctx: &mut Ctx<'_>) -> Result<()> {
    let server = tiny_http::Server::http(addr).map_err(|e| {
        Error::fail(format!("exporter: --listen {addr}: {e}"))
            .hint("another process has the address: give another with --listen")
    })?;
    // Said once, on standard error: where to point Prometheus.
    let _ = writeln!(ctx.err, "ioband exporter: serving http://{addr}/metrics");
    serve(&server, names, None, ctx)
}

/// Answer requests on `server` (`limit`: that many, for tests).
pub(super) fn serve(
    server: &tiny_http::Server,
    names: &[String],
    limit: Option<usize>,
    ctx: &mut Ctx<'_>,
) -> Result<()> {
    let mut prev: Previous = None;
    let mut served = 0;
    while limit.is_none_or(|l| served < l) {
        let req = match server.recv() {
            Ok(r) => r,
            Err(e) => return Err(Error::fail(format!("exporter: {e}"))),
        };
        served += 1;
        let (status, ctype, body) = answer(&req, names, &mut prev, ctx);
        let header = tiny_http::Header::from_bytes("Content-Type", ctype)
            .map_err(|()| Error::fail("exporter: bad Content-Type header"))?;
        let resp = tiny_http::Response::from_string(body)
            .with_status_code(status)
            .with_header(header);
        // A scraper that went away is its business, not ours.
        let _ = req.respond(resp);
    }
    Ok(())
}

/// The status code, content type and body for `req`.
fn answer(
    req: &tiny_http::Request,
    names: &[String],
    prev: &mut Previous,
    ctx: &mut Ctx<'_>,
) -> (u16, &'static str, String) {
    let text = "text/plain; charset=utf-8";
    let path = req.url().split('?').next().unwrap_or_default();
    if !matches!(
        req.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        return (405, text, "only GET\n".into());
    }
    match path {
        "/metrics" => match sample(ctx, names, prev) {
            Ok(doc) => {
                let om = req.headers().iter().any(|h| {
                    h.field.equiv("Accept")
                        && h.value.as_str().contains("application/openmetrics-text")
                });
                if om {
                    (200, metrics::OPENMETRICS_TYPE, metrics::openmetrics(&doc))
                } else {
                    (
                        200,
                        metrics::PROMETHEUS_TYPE,
                        metrics::prometheus_text(&doc),
                    )
                }
            }
            Err(e) => {
                let _ = writeln!(ctx.err, "ioband exporter: {}", e.message);
                (500, text, format!("{}\n", e.message))
            }
        },
        "/" => (
            200,
            text,
            "ioband exporter: the metrics are at /metrics\n".into(),
        ),
        _ => (404, text, "not found: the metrics are at /metrics\n".into()),
    }
}

/// `ioband exporter --textfile PATH`: write PATH every `interval`
/// seconds (once with `once`), atomically: a file beside it, renamed.
pub(super) fn textfile(
    names: &[String],
    path: &Path,
    interval: f64,
    once: bool,
    ctx: &mut Ctx<'_>,
) -> Result<()> {
    let mut prev: Previous = None;
    loop {
        let doc = sample(ctx, names, &mut prev)?;
        write_atomically(path, &metrics::prometheus_text(&doc))?;
        if once {
            return Ok(());
        }
        ctx.sys.sleep(Duration::from_secs_f64(interval));
    }
}

/// `text` into `path` by way of `path.ioband-tmp` in the same directory,
/// so that a reader sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let fail = |what: &str, e: std::io::Error| {
        Error::fail(format!(
            "exporter: --textfile {}: {what}: {e}",
            path.display()
        ))
        .hint("give a path in a directory this user may write to")
    };
    let Some(file) = path.file_name() else {
        return Err(Error::usage(format!(
            "exporter: --textfile {}: not a file name",
            path.display()
        )));
    };
    let mut tmp_name = file.to_os_string();
    tmp_name.push(".ioband-tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut f = std::fs::File::create(&tmp).map_err(|e| fail("cannot write", e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail("cannot write", e)
        })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail("cannot rename into place", e)
    })?;
    Ok(())
}
