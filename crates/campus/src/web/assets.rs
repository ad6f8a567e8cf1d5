//! Static files, compiled into the binary so a deployment is one file. Names carry no
//! version, so they are cached briefly and revalidated by ETag.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "campus.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/campus.css"),
    },
    Asset {
        name: "live.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/live.js"),
    },
    Asset {
        name: "menu.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/menu.js"),
    },
    Asset {
        name: "manifest.webmanifest",
        content_type: "application/manifest+json",
        body: include_bytes!("../../static/manifest.webmanifest"),
    },
    Asset {
        name: "icons/campus.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../static/icons/campus.svg"),
    },
    Asset {
        name: "icons/maskable.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../static/icons/maskable.svg"),
    },
];

/// A cheap content hash (FNV-1a) as the ETag: it changes whenever a file does.
fn etag(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(AppError::NotFound)?;
    let tag = etag(asset.body);
    let cache = HeaderValue::from_static("public, max-age=3600, must-revalidate");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == tag.as_bytes())
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, tag),
                (
                    header::CACHE_CONTROL,
                    cache.to_str().unwrap_or_default().to_string(),
                ),
            ],
        )
            .into_response());
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, cache),
            (
                header::ETAG,
                HeaderValue::from_str(&tag).map_err(|e| AppError::Internal(e.into()))?,
            ),
        ],
        asset.body,
    )
        .into_response())
}
