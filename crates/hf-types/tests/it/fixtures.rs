//! Deserializes every recorded Hub response body in the shared fixture folder into the
//! type its slug names, reporting every failure at once with its JSON path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hf_types::{
    CommitInfo, CreateRepoResponse, ErrorBody, InferenceEndpoint, InferenceEndpointProviders,
    InferenceEndpointStatus, ModelInfo, PreuploadResponse, RepoTreeEntry, SpaceInfo, SpaceRuntime,
    SpaceStage, SpaceVariables, TasksCatalog, TokenRole, UploadMode, WebhookAction, WebhookPayload,
    WhoAmI,
};
use serde::de::DeserializeOwned;

fn fixtures_dir() -> PathBuf {
    match std::env::var_os("HF_FIXTURES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/hub-payloads"),
    }
}

/// Parses `bytes` as `T`; the error names the JSON path that failed.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| format!("at `{}`: {}", e.path(), e.inner()))
}

fn check<T: DeserializeOwned>(bytes: &[u8]) -> Result<(), String> {
    parse::<T>(bytes).map(drop)
}

type Checker = fn(&[u8]) -> Result<(), String>;

/// Slug (file name part before `__`) to the type its body must parse into.
fn slug_table() -> BTreeMap<&'static str, Checker> {
    let table: [(&str, Checker); 25] = [
        ("commit", check::<CommitInfo>),
        ("error-409-repo-create", check::<ErrorBody>),
        ("inference-endpoint", check::<InferenceEndpoint>),
        (
            "inference-endpoints-provider",
            check::<InferenceEndpointProviders>,
        ),
        ("model-info", check::<ModelInfo>),
        ("model-info-blobs", check::<ModelInfo>),
        ("model-info-expand", check::<ModelInfo>),
        ("model-tree", check::<Vec<RepoTreeEntry>>),
        ("model-tree-expand", check::<Vec<RepoTreeEntry>>),
        ("preupload", check::<PreuploadResponse>),
        ("repo-create", check::<CreateRepoResponse>),
        ("space-info-revision-expand", check::<SpaceInfo>),
        ("space-pause", check::<SpaceRuntime>),
        ("space-restart", check::<SpaceRuntime>),
        ("space-runtime", check::<SpaceRuntime>),
        // The secrets endpoints answer an empty object the client ignores.
        (
            "space-secrets-delete",
            check::<serde_json::Map<String, serde_json::Value>>,
        ),
        (
            "space-secrets-post",
            check::<serde_json::Map<String, serde_json::Value>>,
        ),
        ("space-variables", check::<SpaceVariables>),
        ("space-variables-delete", check::<SpaceVariables>),
        ("space-variables-post", check::<SpaceVariables>),
        ("tasks", check::<TasksCatalog>),
        ("webhook-payload", check::<WebhookPayload>),
        ("whoami-v2", check::<WhoAmI>),
        // Redirect bodies are text; listed so a JSON body under these slugs is checked too.
        ("model-info-redirect-307", check::<ModelInfo>),
        ("model-info-expand-redirect-307", check::<ModelInfo>),
    ];
    table.into_iter().collect()
}

fn read(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

#[test]
fn every_fixture_body_parses_into_its_type() {
    let dir = fixtures_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "fixture folder {} is missing ({e}); set HF_FIXTURES_DIR or place shared/ beside the clone",
            dir.display()
        )
    });
    let table = slug_table();
    let mut failures = Vec::new();
    let (mut parsed, mut text) = (0, 0);
    let mut names: Vec<String> = entries
        .map(|e| {
            e.expect("readable fixture dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    for name in &names {
        if name.ends_with(".headers.json") || name == "SOURCES.md" {
            continue;
        }
        let Some((slug, _)) = name.split_once("__") else {
            failures.push(format!("{name}: file name has no `__` slug separator"));
            continue;
        };
        let extension = Path::new(name).extension().and_then(|e| e.to_str());
        if extension == Some("txt") {
            text += 1;
            continue;
        }
        if extension != Some("json") {
            failures.push(format!("{name}: unexpected body extension"));
            continue;
        }
        let Some(checker) = table.get(slug) else {
            failures.push(format!("{name}: slug {slug:?} has no type mapping"));
            continue;
        };
        match checker(&read(name)) {
            Ok(()) => parsed += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        parsed >= 100,
        "only {parsed} JSON bodies found in {}",
        dir.display()
    );
    assert!(
        text >= 1,
        "expected the text bodies (redirects) to be counted"
    );
    eprintln!("parsed {parsed} JSON bodies, counted {text} text bodies");
}

#[test]
fn model_info_values() {
    let info: ModelInfo = parse(&read("model-info__1.json")).unwrap();
    assert_eq!(info.id, "google-bert/bert-base-uncased");
    assert_eq!(
        info.sha.as_ref().unwrap().as_str(),
        "86b5e0934494bd15c9632b12f734a8a67f723594"
    );
    assert_eq!(info.siblings.as_ref().unwrap().len(), 16);
    assert_eq!(info.gated, Some(hf_types::GatedMode::Off));
    assert_eq!(info.library_name.as_deref(), Some("transformers"));
    assert_eq!(info.pipeline_tag.as_deref(), Some("fill-mask"));
    let st = info.safetensors.as_ref().unwrap();
    assert_eq!(st.total, 110_106_428);
    assert_eq!(st.parameters["F32"], 110_106_428);
    assert_eq!(
        info.transformers_info.as_ref().unwrap().auto_model,
        "AutoModelForMaskedLM"
    );
    let card = info.card_data.as_ref().unwrap();
    assert_eq!(card.license.as_deref(), Some("apache-2.0"));
    assert_eq!(card.language.as_ref().unwrap().as_slice(), ["en"]);
    assert_eq!(info.repo_id().unwrap().namespace(), Some("google-bert"));
}

#[test]
fn model_info_blobs_and_expand_values() {
    let info: ModelInfo = parse(&read("model-info-blobs__1.json")).unwrap();
    let sibling = &info.siblings.as_ref().unwrap()[0];
    assert_eq!(sibling.size, Some(3184));
    let lfs = sibling.lfs.as_ref().unwrap();
    assert_eq!(lfs.pointer_size, 129);
    assert!(lfs.sha256.starts_with("f368050465"));

    let expanded: ModelInfo = parse(&read("model-info-expand__1.json")).unwrap();
    assert!(expanded.siblings.is_none());
    let providers = expanded.inference_provider_mapping.as_ref().unwrap();
    let together = providers.get("together").unwrap();
    assert_eq!(together.task.as_deref(), Some("conversational"));
}

#[test]
fn gated_manual_fixture() {
    let info: ModelInfo = parse(&read("model-info__29.json")).unwrap();
    assert_eq!(info.gated, Some(hf_types::GatedMode::Manual));
}

#[test]
fn tree_values() {
    let entries: Vec<RepoTreeEntry> = parse(&read("model-tree-expand__1.json")).unwrap();
    assert_eq!(entries.len(), 5);
    let RepoTreeEntry::File(bin) = &entries[2] else {
        panic!("expected a file")
    };
    assert_eq!(bin.path, "pytorch_model.bin");
    assert_eq!(bin.size, 440_473_133);
    assert_eq!(bin.lfs.as_ref().unwrap().pointer_size, 134);
    assert_eq!(
        bin.last_commit.as_ref().unwrap().title,
        "Update pytorch_model.bin"
    );
    assert!(bin.xet_hash.is_some());
}

#[test]
fn upload_and_commit_values() {
    let pre: PreuploadResponse = parse(&read("preupload__1.json")).unwrap();
    assert_eq!(pre.files[0].path, "app.py");
    assert_eq!(pre.files[0].upload_mode, UploadMode::Regular);
    assert!(!pre.files[0].should_ignore);

    let commit: CommitInfo = parse(&read("commit__1.json")).unwrap();
    assert_eq!(
        commit.commit_oid.as_str(),
        "f3b8983b4d51ad1cf54254c99ab89d5d76098af8"
    );
    let repo = commit.repo_url().unwrap();
    assert_eq!(repo.repo_type(), hf_types::RepoType::Space);
    assert_eq!(repo.repo_id().as_str(), "user/tmp_test_space");
    assert_eq!(commit.pr_num(), None);

    let created: CreateRepoResponse = parse(&read("repo-create__1.json")).unwrap();
    assert_eq!(
        created.repo_url().unwrap().repo_id().as_str(),
        "user/tmp_test_space"
    );
    let conflict: ErrorBody = parse(&read("error-409-repo-create__1.json")).unwrap();
    assert_eq!(
        conflict.url.as_deref(),
        Some("https://huggingface.co/spaces/user/tmp_test_space")
    );
}

#[test]
fn space_values() {
    let rt: SpaceRuntime = parse(&read("space-pause__1.json")).unwrap();
    assert_eq!(rt.stage, SpaceStage::Paused);
    assert_eq!(
        rt.requested_hardware(),
        Some(&hf_types::SpaceHardware::CpuBasic)
    );
    assert_eq!(rt.current_hardware(), None);
    assert_eq!(rt.gc_timeout, Some(172_800));
    assert_eq!(rt.domains[0].domain, "user-tmp-test-space.hf.space");

    let vars: SpaceVariables = parse(&read("space-variables-delete__1.json")).unwrap();
    assert_eq!(vars.len(), 3);
    assert_eq!(
        vars["MODEL_PAPER"].description.as_deref(),
        Some("found it there")
    );
    assert_eq!(vars["foo"].value, "456");
}

#[test]
fn identity_endpoint_webhook_values() {
    let me: WhoAmI = parse(&read("whoami-v2__1.json")).unwrap();
    assert_eq!(me.name, "hub.js");
    assert_eq!(me.token_role(), Some(&TokenRole::Write));
    assert!(me.orgs.is_empty());

    let ie: InferenceEndpoint = parse(&read("inference-endpoint__1.json")).unwrap();
    assert_eq!(ie.status.state, InferenceEndpointStatus::Pending);
    assert_eq!(ie.model.repository, "gpt2");
    // Secrets never show in Debug output.
    assert!(!format!("{ie:?}").contains("my-token"));

    let hook: WebhookPayload = parse(&read("webhook-payload__3.json")).unwrap();
    assert_eq!(hook.event.action, WebhookAction::Update);
    assert_eq!(hook.updated_refs[0].git_ref, "refs/pr/5");
    assert_eq!(hook.updated_refs[0].old_sha, None);

    let tasks: TasksCatalog = parse(&read("tasks__1.json")).unwrap();
    assert_eq!(tasks.len(), 41);
    assert_eq!(
        tasks["audio-classification"].label.as_deref(),
        Some("Audio Classification")
    );
}
