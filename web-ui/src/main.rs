//! The configurator's browser UI (issue 7): a Yew client-side app compiled to wasm32 and served
//! by `configurator serve` at `/`. See `ARCHITECTURE.md` ("The web UI").

mod api;
mod app;
mod configurator;
mod engine;
mod preview;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
