//! Many parallel clients over real HTTP: on one configuration every choice is applied exactly
//! once; on many configurations none interferes with another; the server stays responsive.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use support::{Client, Server, TempDir};

/// Options of a state, sorted by name.
fn option_names(state: &Value) -> Vec<String> {
    state["options"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_choices_on_one_configuration_are_each_applied_once() {
    let dir = TempDir::new("conc-one");
    // The 64 choices queue behind each other on the configuration's lock, and the time limit
    // of a request counts its wait: about 15 requests ahead of it, ~0.5 s each in the test
    // build on two cores, so the default 10 s is too close. This test is about applying every
    // choice exactly once, not about the limit (`api.rs`,
    // `solver_limits_answer_422_and_503_and_change_nothing`, tests that).
    let server = Server::start(dir.path(), &["--solve-timeout-ms", "120000"]);
    let c = Client::new(&server);
    let id = c.new_configuration("pc").await;
    let (_, s) = c.get(&format!("/api/configurations/{id}"), None).await;
    const CLIENTS: usize = 16;
    const EACH: usize = 4;
    // Reject options but keep the two first of every group, so that the choices most likely
    // stay consistent (conflicts are fine too, but their repairs cost more solver time).
    let mut per_group: std::collections::BTreeMap<String, usize> = Default::default();
    let picked: Vec<String> = option_names(&s)
        .into_iter()
        .filter(|name| {
            let group = name.split('.').next().unwrap().to_string();
            let seen = per_group.entry(group).or_default();
            *seen += 1;
            *seen > 2
        })
        .take(CLIENTS * EACH)
        .collect();
    assert_eq!(picked.len(), CLIENTS * EACH);

    // Meanwhile another client checks that the server keeps answering quickly.
    let probe = {
        let c = c.clone();
        tokio::spawn(async move {
            let mut worst = Duration::ZERO;
            for _ in 0..20 {
                let t = Instant::now();
                assert_eq!(c.get("/healthz", None).await.0, 200);
                worst = worst.max(t.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            worst
        })
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for chunk in picked.chunks(EACH) {
        let c = c.clone();
        let id = id.clone();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            for option in chunk {
                let (status, body) = c.choose(&id, &option, "deselect").await;
                assert_eq!(status, 200, "{option}: {body}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let worst = probe.await.unwrap();
    eprintln!(
        "{} parallel choices on one configuration in {elapsed:?}; slowest /healthz {worst:?}",
        CLIENTS * EACH
    );
    assert!(worst < Duration::from_secs(2), "healthz took {worst:?}");

    let (_, s) = c.get(&format!("/api/configurations/{id}"), None).await;
    assert_eq!(s["revision"], (CLIENTS * EACH) as u64, "{s}");
    let chosen: Vec<&str> = s["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["action"], "deselect");
            c["option"].as_str().unwrap()
        })
        .collect();
    assert_eq!(chosen.len(), CLIENTS * EACH, "no choice lost or doubled");
    let want: BTreeSet<&str> = picked.iter().map(|s| s.as_str()).collect();
    assert_eq!(chosen.into_iter().collect::<BTreeSet<_>>(), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_clients_on_many_configurations() {
    let dir = TempDir::new("conc-many");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    const CLIENTS: usize = 24;
    let plan = [
        ("model.mid", "select"),
        ("size.eu42", "select"),
        ("upper_material.suede", "select"),
        ("size.eu42", "clear"),
        ("size.eu43", "select"),
    ];
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let catalog = if i % 2 == 0 { "sneaker" } else { "pc" };
            let id = c.new_configuration(catalog).await;
            if catalog == "pc" {
                let (status, s) = c.choose(&id, "case.terra", "select").await;
                assert_eq!(status, 200);
                assert_eq!(s["options"]["gpu.rtx5080"], "excluded");
                return (id, catalog, 1);
            }
            for (option, action) in plan {
                let (status, s) = c.choose(&id, option, action).await;
                assert_eq!(status, 200, "{option}: {s}");
            }
            (id, catalog, plan.len())
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    eprintln!(
        "{CLIENTS} clients on their own configurations in {:?}",
        started.elapsed()
    );
    for (id, catalog, n) in results {
        let (_, s) = c.get(&format!("/api/configurations/{id}"), None).await;
        assert_eq!(s["revision"], n as u64);
        if catalog == "sneaker" {
            let chosen: Vec<&str> = s["choices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["option"].as_str().unwrap())
                .collect();
            assert_eq!(
                chosen,
                ["model.mid", "upper_material.suede", "size.eu43"],
                "{s}"
            );
        } else {
            assert_eq!(s["choices"][0]["option"], "case.terra");
        }
    }
}
