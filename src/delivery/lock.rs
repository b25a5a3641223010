//! One sender at a time across tabs and the service worker: the Web Locks API.
//!
//! Called through `js_sys::Reflect` because web-sys exposes `LockManager`
//! only behind `web_sys_unstable_apis`. Where Web Locks are missing (older
//! iOS), a per-context flag keeps one run per tab; two tabs may then send the
//! same order at once, which the server's idempotency makes harmless.

use std::cell::Cell;
use std::future::Future;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

pub const OUTBOX_LOCK: &str = "wendan-outbox";

thread_local! {
    static RUNNING_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` holding the lock, or returns `None` at once if someone else
/// holds it.
pub async fn if_available<T: 'static>(
    name: &str,
    work: impl Future<Output = T> + 'static,
) -> Option<T> {
    match lock_manager() {
        Some(locks) => with_web_lock(&locks, name, work).await,
        None => with_local_flag(work).await,
    }
}

fn lock_manager() -> Option<Object> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    locks.dyn_into::<Object>().ok()
}

async fn with_web_lock<T: 'static>(
    locks: &Object,
    name: &str,
    work: impl Future<Output = T> + 'static,
) -> Option<T> {
    let result = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = std::rc::Rc::clone(&result);
    let mut work = Some(work);
    let callback = Closure::once(move |lock: JsValue| -> Promise {
        let work = work.take();
        future_to_promise(async move {
            if let (false, Some(work)) = (lock.is_null(), work) {
                *slot.borrow_mut() = Some(work.await);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let request: Function = Reflect::get(locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise = request
        .call3(
            locks,
            &name.into(),
            &options,
            callback.as_ref().unchecked_ref(),
        )
        .ok()?;
    let _ = JsFuture::from(Promise::from(promise)).await;
    drop(callback);
    result.borrow_mut().take()
}

async fn with_local_flag<T>(work: impl Future<Output = T>) -> Option<T> {
    if RUNNING_HERE.with(|running| running.replace(true)) {
        return None;
    }
    let result = work.await;
    RUNNING_HERE.with(|running| running.set(false));
    Some(result)
}
