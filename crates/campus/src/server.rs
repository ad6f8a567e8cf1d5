//! The HTTP server: binding the socket, serving the route table with its middleware, and
//! graceful shutdown on SIGINT or SIGTERM.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::app::AppState;

/// Binds the listening socket, naming the address when it cannot.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                " (another program, perhaps another Campus, is using it; choose another with \
                 --listen or CAMPUS_LISTEN)"
            }
            std::io::ErrorKind::PermissionDenied => {
                " (ports below 1024 need privileges; choose a port such as 8080)"
            }
            std::io::ErrorKind::AddrNotAvailable => " (this machine has no such address)",
            _ => "",
        };
        anyhow::anyhow!("cannot listen on {addr}: {e}{hint}")
    })
}

/// Serves until SIGINT or SIGTERM, then stops accepting and lets requests in flight finish
/// (for at most `drain`).
pub async fn serve(listener: TcpListener, state: AppState, drain: Duration) -> anyhow::Result<()> {
    let throttle = state.throttle.clone();
    let tidying = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            throttle.tidy();
        }
    });
    let router = crate::router::build(state);
    let served = serve_until(listener, router, shutdown_signal(), drain).await;
    tidying.abort();
    served
}

/// Serves `router` until `shutdown` completes, then drains requests in flight for at most
/// `drain`. Split from `serve` so tests can trigger the shutdown themselves.
pub async fn serve_until(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    drain: Duration,
) -> anyhow::Result<()> {
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stopping_tx.send(true);
    });
    tokio::select! {
        result = server => result.context("the HTTP server failed")?,
        () = async {
            let _ = stopping.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!(seconds = drain.as_secs(), "requests still running after the drain period; stopping anyway");
        }
    }
    Ok(())
}

pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
