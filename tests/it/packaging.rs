//! The deployment files agree with the code: the Kubernetes manifest
//! (parsed), the Dockerfile's user, volume, port and HEALTHCHECK, and the
//! `health` command that HEALTHCHECK runs.

use std::path::Path;

use privatelink_bot::config::Config;
use serde::Deserialize;
use serde_json::Value;

use crate::slack_bot::SlackBot;

fn file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

fn manifest() -> Vec<Value> {
    manifest_at("deploy/kubernetes.yaml")
}

fn manifest_at(path: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(&file(path))
        .map(|doc| Value::deserialize(doc).expect("a YAML document"))
        .collect()
}

#[test]
fn the_replicas_manifest_runs_two_bots_on_postgres_with_a_rolling_update_and_a_budget() {
    let docs = manifest_at("deploy/kubernetes-replicas.yaml");
    let deployment = of_kind(&docs, "Deployment");
    let spec = &deployment["spec"];
    assert_eq!(spec["replicas"], 2);
    assert_eq!(spec["strategy"]["type"], "RollingUpdate");
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
    let pod = &spec["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert!(
        pod["volumes"]
            .as_array()
            .expect("volumes")
            .iter()
            .all(|v| v["persistentVolumeClaim"].is_null()),
        "no volume to move"
    );
    let budget = of_kind(&docs, "PodDisruptionBudget");
    assert_eq!(budget["spec"]["minAvailable"], 1);
    assert_eq!(
        budget["spec"]["selector"]["matchLabels"],
        spec["selector"]["matchLabels"]
    );

    let config_map = of_kind(&docs, "ConfigMap");
    let text = config_map["data"]["config.toml"]
        .as_str()
        .expect("config.toml");
    let config = Config::from_toml(text, std::iter::empty()).expect("the manifest's config");
    assert_eq!(
        config.store.backend,
        privatelink_bot::config::StoreBackend::Postgres
    );
    let from_secret: Vec<&str> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter(|e| e["valueFrom"]["secretKeyRef"].is_object())
        .filter_map(|e| e["name"].as_str())
        .collect();
    for name in [
        config.store.database_url_env.as_str(),
        config.zilliz.api_key_env.as_str(),
    ] {
        assert!(from_secret.contains(&name), "{name} is not from the Secret");
    }
    assert!(
        !text.contains("postgres://"),
        "no database URL in the ConfigMap"
    );
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in the manifest"))
}

#[test]
fn the_kubernetes_manifest_runs_one_bot_on_its_volume_with_probes_and_secrets() {
    let docs = manifest();
    let deployment = of_kind(&docs, "Deployment");
    let spec = &deployment["spec"];
    assert_eq!(spec["replicas"], 1, "sled allows one process per store");
    assert_eq!(spec["strategy"]["type"], "Recreate");
    let pod = &spec["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);

    // The store lives on the claim.
    let pvc = of_kind(&docs, "PersistentVolumeClaim");
    let volumes = pod["volumes"].as_array().expect("volumes");
    let data = volumes
        .iter()
        .find(|v| v["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"])
        .expect("a volume from the claim");
    let mount = container["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .find(|m| m["name"] == data["name"])
        .expect("the claim is mounted");
    let mount_path = mount["mountPath"].as_str().expect("mount path");

    // The config in the ConfigMap is valid, keeps the store on that mount,
    // and every secret it names comes from the Secret.
    let config_map = of_kind(&docs, "ConfigMap");
    let text = config_map["data"]["config.toml"]
        .as_str()
        .expect("config.toml");
    let config = Config::from_toml(text, std::iter::empty()).expect("the manifest's config");
    assert!(
        config.store.path.starts_with(mount_path),
        "{} is not on {mount_path}",
        config.store.path.display()
    );
    let from_secret: Vec<&str> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter(|e| e["valueFrom"]["secretKeyRef"].is_object())
        .filter_map(|e| e["name"].as_str())
        .collect();
    let mut needed = vec![config.zilliz.api_key_env.clone()];
    if let Some(slack) = &config.slack {
        needed.push(slack.bot_token_env.clone());
        needed.push(slack.signing_secret_env.clone());
    }
    for name in &needed {
        assert!(
            from_secret.contains(&name.as_str()),
            "{name} is not from the Secret"
        );
    }
    assert!(
        !text.contains("xoxb-") && !text.contains("api_key ="),
        "no secret in the ConfigMap"
    );
    // The port the probes use is the one the bot listens on.
    let port = container["ports"][0]["containerPort"]
        .as_u64()
        .expect("port");
    let listen = config.http.expect("[http]").listen;
    assert!(listen.ends_with(&format!(":{port}")), "{listen} vs {port}");
}

#[test]
fn the_dockerfile_runs_as_the_manifests_user_with_a_volume_and_a_healthcheck() {
    let docker = file("Dockerfile");
    assert!(docker.contains("USER bot"), "non-root");
    assert!(docker.contains("--uid 10001"));
    let docs = manifest();
    let pod = &of_kind(&docs, "Deployment")["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsUser"], 10001);
    assert!(docker.contains("VOLUME [\"/data\"]"));
    assert!(docker.contains("EXPOSE 8080"));
    assert!(
        docker.contains("CMD [\"privatelink-bot\", \"health\"]"),
        "an exec-form HEALTHCHECK that needs no shell tool"
    );
    let ignore = file(".dockerignore");
    for never in ["target/", ".git/", "*.sled"] {
        assert!(ignore.lines().any(|l| l.trim() == never), "{never}");
    }
}

/// Every file the code compiles in (`include_str!`) reaches the image's
/// build stage: a catalogue left out of the context breaks `docker build`
/// and nothing else would say so.
#[test]
fn the_image_build_copies_every_file_the_code_compiles_in() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docker = file("Dockerfile");
    let ignore = file(".dockerignore");
    let mut seen = 0;
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            // Unit tests are not built into the image.
            let built = source.split("#[cfg(test)]").next().unwrap_or_default();
            for piece in built.split("include_str!(\"").skip(1) {
                let relative = piece.split('"').next().unwrap();
                let included = path.parent().unwrap().join(relative);
                let included = included.canonicalize().expect("the included file exists");
                let top = included
                    .strip_prefix(root.canonicalize().unwrap())
                    .expect("inside the repository")
                    .components()
                    .next()
                    .unwrap()
                    .as_os_str()
                    .to_string_lossy()
                    .into_owned();
                assert!(
                    docker.contains(&format!("COPY {top} ")),
                    "the Dockerfile does not copy {top}/ (for {})",
                    included.display()
                );
                assert!(
                    !ignore
                        .lines()
                        .any(|l| l.trim().trim_end_matches('/') == top),
                    ".dockerignore excludes {top}/"
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 2, "found {seen} include_str! uses");
}

/// The build script reads the catalogues (to check message keys at compile
/// time), so the image's build stage needs it and them before it builds.
#[test]
fn the_image_build_copies_the_build_script_before_building() {
    let docker = file("Dockerfile");
    let position = |needle: &str| {
        docker
            .find(needle)
            .unwrap_or_else(|| panic!("the Dockerfile lacks `{needle}`"))
    };
    let build = position("--bin privatelink-bot");
    for needle in ["COPY build.rs ", "COPY locales ", "COPY src "] {
        assert!(position(needle) < build, "`{needle}` comes after the build");
    }
}

#[tokio::test]
async fn the_health_command_passes_on_a_healthy_bot_and_fails_on_none() {
    let bot = SlackBot::start_full(&["slack:UBOB"], |_| {}, None).await;
    let run = |url: String| async move {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
            .args(["health", "--url", &url])
            .output()
            .await
            .expect("the binary runs")
    };
    let ok = run(format!("{}/healthz", bot.url())).await;
    assert!(ok.status.success(), "{ok:?}");
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "ok");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/healthz", listener.local_addr().unwrap());
    drop(listener);
    let down = run(closed).await;
    assert!(!down.status.success());
}
