//! Panic containment around the whole service: a panic in any handler (in
//! the call or while its future runs) becomes a `-32603` error response for
//! a request, and a logged error for a notification; the server goes on.
//! (The panic hook installed by `main` has already written the message and
//! a backtrace to the log.) Locks are never left poisoned for good: the host
//! is locked with `lock()`, which takes a poisoned lock over.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::FutureExt;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};

/// A service whose handler panics are contained.
pub struct Contained<S> {
    inner: S,
}

impl<S> Contained<S> {
    pub fn new(inner: S) -> Contained<S> {
        Contained { inner }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn internal(method: &str, msg: &str) -> Error {
    Error { code: ErrorCode::InternalError, message: format!("internal error in {method}: {msg}").into(), data: None }
}

impl<S> Service<Request> for Contained<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_owned();
        let fut = match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(fut) => fut,
            Err(payload) => {
                let msg = panic_message(&*payload);
                tracing::error!("handler of {method} panicked: {msg}");
                let resp = id.map(|id| Response::from_error(id, internal(&method, &msg)));
                return Box::pin(std::future::ready(Ok(resp)));
            }
        };
        Box::pin(async move {
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r,
                Err(payload) => {
                    let msg = panic_message(&*payload);
                    tracing::error!("handler of {method} panicked: {msg}");
                    Ok(id.map(|id| Response::from_error(id, internal(&method, &msg))))
                }
            }
        })
    }
}
