//! The few things the UI does differently on the server and in the browser, gathered in one
//! place: the initial language, the HTTP status of a rendered page, full-page navigation and
//! the language cookie.

use crate::i18n::Lang;

/// The language of the request (server) or of the page being hydrated (browser): both read the
/// `lang` cookie, so they agree.
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::COOKIE)
                    .and_then(|value| value.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast as _;
        web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|document| document.cookie().ok())
            .map(|cookie| Lang::from_cookie_header(&cookie))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// Remembers the chosen language for later visits (a plain cookie: it is not a secret).
pub fn store_lang(lang: Lang) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast as _;
        if let Some(document) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = document.set_cookie(&format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                Lang::COOKIE,
                lang.code()
            ));
        }
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = lang;
}

/// Loads `path` as a new page, so that the server renders it with the new session.
pub fn go_to(path: &str) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = path;
}

/// Sets the HTTP status of the page being rendered on the server (403, 404…).
pub fn set_page_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// Puts the page's Content-Security-Policy, with this response's script nonce, in the headers.
pub fn set_page_csp() {
    #[cfg(feature = "ssr")]
    if let (Some(response), Some(nonce)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) && let Ok(value) = http::HeaderValue::from_str(&crate::backend::http::page_csp(&nonce))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Moves the keyboard focus to the element with this id and scrolls it into view (links of the
/// pre-review to the field they name: following a fragment link does not focus an input).
pub fn focus_by_id(id: &str) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast as _;
        if let Some(element) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id(id))
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            element.scroll_into_view();
            let _ = element.focus();
        }
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = id;
}

/// Sends the file chosen in the file input `input_id` to `url` (the upload endpoint, with the
/// draft and material in its query; the file name is added) as the raw request body, so the
/// browser streams it; then clears the input. `None` when no file was chosen.
pub async fn upload_chosen_file<T: serde::de::DeserializeOwned>(
    input_id: &str,
    url: &str,
) -> Option<Result<T, crate::api::AppError>> {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use crate::api::AppError;
        use wasm_bindgen::JsCast as _;
        use wasm_bindgen_futures::JsFuture;
        let window = web_sys::window()?;
        let input = window
            .document()?
            .get_element_by_id(input_id)?
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?;
        let file = input.files()?.get(0)?;
        let transport = |_| AppError::Transport("upload".into());
        let result = async {
            let address = format!(
                "{url}&name={}",
                String::from(js_sys::encode_uri_component(&file.name()))
            );
            let init = web_sys::RequestInit::new();
            init.set_method("POST");
            init.set_credentials(web_sys::RequestCredentials::SameOrigin);
            init.set_body(&file);
            let headers = web_sys::Headers::new().map_err(transport)?;
            let content_type = if file.type_().is_empty() {
                "application/octet-stream".to_owned()
            } else {
                file.type_()
            };
            headers
                .set("content-type", &content_type)
                .map_err(transport)?;
            init.set_headers(&headers);
            let request =
                web_sys::Request::new_with_str_and_init(&address, &init).map_err(transport)?;
            let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
                .await
                .map_err(transport)?
                .dyn_into()
                .map_err(transport)?;
            let text = JsFuture::from(response.text().map_err(transport)?)
                .await
                .map_err(transport)?
                .as_string()
                .unwrap_or_default();
            if response.ok() {
                serde_json::from_str(&text).map_err(|_| AppError::Transport("answer".into()))
            } else {
                Err(serde_json::from_str(&text).unwrap_or(AppError::Transport(text)))
            }
        }
        .await;
        input.set_value("");
        Some(result)
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    {
        let _ = (input_id, url);
        None
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod signing_js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/ui/signing.js")]
    extern "C" {
        #[wasm_bindgen(catch, js_name = signLetter)]
        pub async fn sign_letter(user: &str, text: &str) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = rememberKey)]
        pub async fn remember_key(user: &str, key_id: &str) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(js_name = attachPad)]
        pub fn attach_pad(id: &str);
        #[wasm_bindgen(js_name = padDataUrl)]
        pub fn pad_data_url(id: &str) -> String;
        #[wasm_bindgen(js_name = clearPad)]
        pub fn clear_pad(id: &str);
    }
}

/// What the browser made when signing a letter with this device's key.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DeviceSignature {
    pub key_id: Option<String>,
    pub public_key: String,
    pub signature: String,
    pub letter_sha256: String,
}

/// Signs `text` with this device's key for account `user` (made on first use, kept in the
/// browser). `None` outside the browser or when WebCrypto refuses.
pub async fn sign_letter(user: i64, text: &str) -> Option<DeviceSignature> {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let value = signing_js::sign_letter(&user.to_string(), text)
            .await
            .ok()?;
        serde_json::from_str(&value.as_string()?).ok()
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    {
        let _ = (user, text);
        None
    }
}

/// Keeps the portal's id of this device's key next to the key.
pub async fn remember_key(user: i64, key_id: &str) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let _ = signing_js::remember_key(&user.to_string(), key_id).await;
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = (user, key_id);
}

/// Makes the canvas `id` a signature pad.
pub fn attach_signature_pad(id: &str) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    signing_js::attach_pad(id);
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = id;
}

/// The pad's drawing as a PNG data URL, empty when nothing was drawn.
pub fn signature_pad_image(id: &str) -> String {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        signing_js::pad_data_url(id)
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    {
        let _ = id;
        String::new()
    }
}

/// Wipes the pad.
pub fn clear_signature_pad(id: &str) {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    signing_js::clear_pad(id);
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let _ = id;
}
