//! The demo's fake restaurant website (`demo-site/`), served on a second
//! origin so the loader embeds the widget across origins as it would on a
//! real site. A few lines of std instead of a crate: it serves two files,
//! GET only, for a demo on loopback.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

pub const ADDRESS: &str = "127.0.0.1:8081";

/// `cargo xtask demo-site`: serves `demo-site/` until killed.
pub fn serve(root: &Path) -> anyhow::Result<()> {
    let dir = root.join("demo-site");
    let listener = TcpListener::bind(ADDRESS)?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if let Err(error) = answer(&dir, stream) {
            eprintln!("demo site: {error}");
        }
    }
    Ok(())
}

fn answer(dir: &Path, mut stream: TcpStream) -> anyhow::Result<()> {
    let mut request_line = String::new();
    BufReader::new(&stream).read_line(&mut request_line)?;
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, kind, body) = match file_for(dir, path) {
        Some((file, kind)) => ("200 OK", kind, std::fs::read(file)?),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    Ok(())
}

/// Only the site's own files, by name: no paths, so nothing else is served.
fn file_for(dir: &Path, path: &str) -> Option<(PathBuf, &'static str)> {
    let name = path.split('?').next().unwrap_or("/");
    match name {
        "/" | "/index.html" => Some((dir.join("index.html"), "text/html")),
        "/site.css" => Some((dir.join("site.css"), "text/css")),
        _ => None,
    }
}
