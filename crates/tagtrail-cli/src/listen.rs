//! The servers' listening sockets.

use anyhow::{Context, Result};
use tokio::net::{TcpListener, TcpSocket};

/// Connections the kernel may hold complete, not yet accepted (Linux caps it at
/// `net.core.somaxconn`, 4096 by default). tokio's `TcpListener::bind` asks for 1,024: under a
/// flood of connections from one address, which the server accepts and cuts off at once, the
/// queue filled between two passes of the accept loop, and an ordinary client's connection was
/// dropped and retried by its kernel a second later (`tagtrail abuse`, slow connections: the
/// victim's p99 was that second). A deeper queue holds it until the accept loop comes round.
const BACKLOG: u32 = 4096;

/// Binds `addr` (`host:port`; a name is resolved and its first address that binds is used) and
/// listens with [`BACKLOG`].
pub async fn bind(addr: &str) -> Result<TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr)
        .await
        .with_context(|| format!("resolving {addr}"))?
    {
        let socket = if a.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }?;
        // As std and tokio do on Unix: a restarted server binds while the old one's
        // connections linger in TIME_WAIT.
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|()| socket.listen(BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => anyhow::Error::new(e).context(format!("binding {addr}")),
        None => anyhow::anyhow!("binding {addr}: it resolves to no address"),
    })
}

#[cfg(test)]
mod tests {
    use super::bind;

    #[tokio::test]
    async fn a_name_is_resolved_and_the_listener_accepts() {
        let listener = bind("localhost:0").await.expect("localhost binds");
        let addr = listener.local_addr().expect("a bound address");
        let (accepted, connected) =
            tokio::join!(listener.accept(), tokio::net::TcpStream::connect(addr));
        accepted.expect("the listener accepts");
        connected.expect("a client connects");
    }

    #[tokio::test]
    async fn a_port_already_listened_on_is_refused_naming_it() {
        let first = bind("127.0.0.1:0").await.expect("a free port binds");
        let addr = first.local_addr().expect("a bound address").to_string();
        let err = bind(&addr).await.expect_err("the port is taken");
        assert!(format!("{err:#}").contains(&addr), "{err:#}");
    }
}
