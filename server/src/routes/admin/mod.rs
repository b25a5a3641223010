//! The restaurant owner's pages: `/admin` (the peak-hour dashboard) and
//! `/admin/tables` (tables and their QR codes), server-rendered in zh-CN and
//! en, with their JSON under `/api/v1/admin/`. Only external CSS, no script.

pub mod dashboard;
pub mod layout;
pub mod payments;
pub mod session;
pub mod tables;

use axum::http::header;
use axum::response::IntoResponse;

/// `GET /admin/admin.css`, built into the binary so the pages work without
/// `--static`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("admin.css"),
    )
}
