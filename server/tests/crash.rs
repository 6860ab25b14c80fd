//! Durability: a server killed with SIGKILL in the middle of a write loop loses no write it
//! acknowledged. Writers run in parallel so that the kill lands inside writes.

mod support;

use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{Client, Server, TempDir};

#[derive(Default)]
struct Acked {
    /// (configuration id, options acknowledged as deselected, in order)
    configurations: Vec<(String, Vec<String>)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = TempDir::new("crash");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    let probe = c.new_configuration("sneaker").await;
    let (_, s) = c.get(&format!("/api/configurations/{probe}"), None).await;
    let names: Vec<String> = s["options"].as_object().unwrap().keys().cloned().collect();

    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let c = c.clone();
        let acked = acked.clone();
        let names = names.clone();
        writers.push(tokio::spawn(async move {
            // Each writer: create a configuration, deselect options one by one, repeat.
            let mut round = 0;
            loop {
                let resp = c
                    .http
                    .post(format!("{}/api/configurations", c.base))
                    .json(&serde_json::json!({"catalog": "sneaker"}))
                    .send()
                    .await;
                let Ok(resp) = resp else { return };
                if resp.status().as_u16() != 201 {
                    return;
                }
                let Ok(body) = resp.json::<Value>().await else {
                    return;
                };
                let id = body["id"].as_str().unwrap().to_string();
                let slot = {
                    let mut a = acked.lock().unwrap();
                    a.configurations.push((id.clone(), Vec::new()));
                    a.configurations.len() - 1
                };
                for option in names.iter().skip(w + round).step_by(7).take(6) {
                    let resp = c
                        .http
                        .post(format!("{}/api/configurations/{id}/choices", c.base))
                        .json(&serde_json::json!({"option": option, "action": "deselect"}))
                        .send()
                        .await;
                    let Ok(resp) = resp else { return };
                    // Acknowledged only once the whole 2xx answer arrived.
                    if resp.status().as_u16() != 200 || resp.bytes().await.is_err() {
                        return;
                    }
                    acked.lock().unwrap().configurations[slot]
                        .1
                        .push(option.clone());
                }
                round += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for w in writers {
        w.await.unwrap();
    }
    let acked = Arc::try_unwrap(acked).ok().unwrap().into_inner().unwrap();
    let writes: usize = acked.configurations.iter().map(|(_, o)| o.len() + 1).sum();
    eprintln!(
        "{} acknowledged writes ({} configurations) before SIGKILL",
        writes,
        acked.configurations.len()
    );
    assert!(writes >= 8, "the write loop should have made progress");

    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    for (id, options) in &acked.configurations {
        let (status, s) = c.get(&format!("/api/configurations/{id}"), None).await;
        assert_eq!(status, 200, "acknowledged configuration {id} lost: {s}");
        let stored: Vec<&str> = s["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["option"].as_str().unwrap())
            .collect();
        // Every acknowledged choice is there, in order; at most one unacknowledged one after.
        assert!(
            stored.len() == options.len() || stored.len() == options.len() + 1,
            "{id}: stored {stored:?}, acknowledged {options:?}"
        );
        assert_eq!(&stored[..options.len()], options.as_slice(), "{id}");
    }
}
