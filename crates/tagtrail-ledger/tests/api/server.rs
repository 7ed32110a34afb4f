//! The HTTP server's own limits (issue 14's hardening): a request header must arrive within the
//! header-read timeout, a kept-alive connection idle that long is closed, and at the connection
//! cap new connections wait for a free slot instead of exhausting the process's descriptors.

use crate::helpers::*;
use std::time::Duration;
use tagtrail_app::{Config, ServerLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn tight() -> Config {
    Config {
        server: ServerLimits {
            max_connections: 8,
            per_address: 8,
            header_read_timeout: Duration::from_secs(1),
        },
        ..Config::default()
    }
}

fn addr(app: &TestApp) -> String {
    app.base_url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; `false` if it is still open after `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// Connections that never finish their header fill every slot; they are cut off after the
/// timeout, and an ordinary GET waiting behind them is then served.
#[tokio::test]
async fn slow_headers_are_cut_off_and_the_cap_only_delays_others() {
    for_each_backend_with(tight(), async |app| {
        let b = app.backend;
        let mut slow = Vec::new();
        for _ in 0..8 {
            let mut s = TcpStream::connect(addr(app)).await.expect("connect");
            s.write_all(b"GET /strains/v2/active HTTP/1.1\r\nHost: x\r\n")
                .await
                .expect("a partial header");
            slow.push(s);
        }
        // A ninth connection waits for a slot (the kernel's backlog holds it), then is served.
        let waiting = tokio::time::timeout(
            Duration::from_secs(15),
            app.get(CULTIVATOR, "/strains/v2/active").send(),
        )
        .await
        .unwrap_or_else(|_| panic!("[{b}] the ordinary GET was never served"));
        assert_eq!(waiting.status, 200, "[{b}] {}", waiting.body);
        for (i, s) in slow.iter_mut().enumerate() {
            assert!(
                closed_within(s, Duration::from_secs(5)).await,
                "[{b}] slow connection {i} is closed after the header-read timeout"
            );
        }
    })
    .await;
}

/// A kept-alive connection that sends nothing more is closed after the same timeout, freeing
/// its slot; one that keeps sending requests is not.
#[tokio::test]
async fn idle_kept_alive_connections_are_closed() {
    for_each_backend_with(tight(), async |app| {
        let b = app.backend;
        let mut s = TcpStream::connect(addr(app)).await.expect("connect");
        s.write_all(b"GET /no/such/path HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("a request");
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).await.expect("a response");
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(head.starts_with("HTTP/1.1 404"), "[{b}] {head}");
        assert!(
            closed_within(&mut s, Duration::from_secs(5)).await,
            "[{b}] the idle connection is closed"
        );
    })
    .await;
}

/// One address may hold only its share of the connections: past it, its new connections are
/// closed at once, while another address is served as usual.
#[tokio::test]
async fn one_address_holds_only_its_share() {
    let config = Config {
        server: ServerLimits {
            max_connections: 64,
            per_address: 4,
            header_read_timeout: Duration::from_secs(30),
        },
        ..Config::default()
    };
    for_each_backend_with(config, async |app| {
        let b = app.backend;
        let from = |ip: &str| {
            let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
            socket
                .bind(format!("{ip}:0").parse().expect("an address"))
                .expect("bind");
            socket
        };
        let mut stalled = Vec::new();
        for _ in 0..4 {
            let mut s = from("127.0.0.3")
                .connect(addr(app).parse().expect("addr"))
                .await
                .expect("connect");
            s.write_all(b"GET / HTTP/1.1\r\n").await.expect("partial");
            stalled.push(s);
        }
        let mut fifth = from("127.0.0.3")
            .connect(addr(app).parse().expect("addr"))
            .await
            .expect("the kernel accepts");
        let _ = fifth.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(
            closed_within(&mut fifth, Duration::from_secs(5)).await,
            "[{b}] the fifth connection from one address is closed"
        );
        let mut other = from("127.0.0.4")
            .connect(addr(app).parse().expect("addr"))
            .await
            .expect("connect");
        other
            .write_all(b"GET /no/such/path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("a request");
        let mut answer = String::new();
        other.read_to_string(&mut answer).await.expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 404"), "[{b}] {answer}");
        drop(stalled);
    })
    .await;
}
