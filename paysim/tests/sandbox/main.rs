//! The `wendan-payments` codecs against the running sandbox: create, pay in
//! the wallet, a verified notification, a query that agrees, close and
//! refund; and every fault as specified.

mod alipay;
mod faults;
mod stripe;
mod support;
mod wechat;
