//! Responses from Oro and Cin7 are read with a size limit, so a broken or hostile endpoint cannot
//! exhaust Concord's memory with one body.

/// The largest response body read. Cin7's biggest pages (1,000 products with their attributes)
/// are a few MiB; this leaves an order of magnitude of headroom.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Reads the body as text (lossy UTF-8) up to `limit` bytes; a larger body is an error naming
/// the limit, and what was read of it is dropped.
pub async fn read_limited(mut resp: reqwest::Response, limit: usize) -> Result<String, String> {
    let too_big = || format!("the response is larger than {limit} bytes and was not read");
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_big());
    }
    let announced = resp.content_length().map_or(0, |n| n as usize);
    let mut body = Vec::with_capacity(announced);
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    // Valid UTF-8 (every answer so far) becomes the string without a copy.
    Ok(String::from_utf8(body)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn serve(body: String) -> String {
        let app = axum::Router::new().route("/", axum::routing::get(move || async move { body }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        url
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_one_under_it_is_read() {
        let url = serve("x".repeat(2048)).await;
        let resp = reqwest::get(&url).await.unwrap();
        let err = read_limited(resp, 1024).await.unwrap_err();
        assert!(err.contains("1024"), "{err}");
        let resp = reqwest::get(&url).await.unwrap();
        assert_eq!(read_limited(resp, 4096).await.unwrap().len(), 2048);
    }
}
