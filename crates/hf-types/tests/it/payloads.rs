//! Hand-written payloads for every type: a sparse one (required fields only), a full
//! one, the full one with unknown keys added, and a serialize/parse round trip.

use std::fmt::Debug;

use hf_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn parse<T: DeserializeOwned>(json: &str) -> T {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).unwrap_or_else(|e| {
        panic!(
            "{}: {} at `{}` in {json}",
            std::any::type_name::<T>(),
            e.inner(),
            e.path()
        )
    })
}

/// Adds keys no version of the Hub sent so far to a JSON object.
fn add_unknown_keys(obj: &mut Value) {
    let obj = obj.as_object_mut().expect("payload is an object");
    obj.insert(
        "someFutureField".into(),
        json!({"nested": [1, "two", null]}),
    );
    obj.insert("another_new_key".into(), json!(42));
}

/// Runs the four checks for one object type: sparse, full, full with unknown top-level
/// keys, and a serialize/parse round trip of the full one.
fn cases<T>(sparse: &str, full: &str, check_sparse: impl Fn(&T), check_full: impl Fn(&T))
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    cases_with(sparse, full, add_unknown_keys, check_sparse, check_full);
}

/// Like [`cases`], with the unknown keys added by `inject`.
fn cases_with<T>(
    sparse: &str,
    full: &str,
    inject: impl Fn(&mut Value),
    check_sparse: impl Fn(&T),
    check_full: impl Fn(&T),
) where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    check_sparse(&parse::<T>(sparse));
    let parsed: T = parse(full);
    check_full(&parsed);

    let mut with_unknown: Value = serde_json::from_str(full).unwrap();
    inject(&mut with_unknown);
    assert_ne!(
        with_unknown,
        serde_json::from_str::<Value>(full).unwrap(),
        "nothing injected"
    );
    check_full(&parse::<T>(&with_unknown.to_string()));

    let again: T = parse(&serde_json::to_string(&parsed).unwrap());
    assert_eq!(
        again,
        parsed,
        "round trip of {}",
        std::any::type_name::<T>()
    );
}

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const SHA256: &str = "a3f5c1e2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

#[test]
fn model_info() {
    cases::<ModelInfo>(
        r#"{"id":"gpt2"}"#,
        &json!({
            "_id":"621ffdc036468d709f17434d","id":"openai-community/gpt2","modelId":"openai-community/gpt2",
            "author":"openai-community","sha":SHA,"createdAt":"2022-03-02T23:29:04.000Z",
            "lastModified":"2024-02-19T10:57:45.000Z","private":false,"gated":"auto","disabled":false,
            "downloads":123,"downloadsAllTime":4567,"likes":8,"library_name":"transformers",
            "pipeline_tag":"text-generation","mask_token":"<mask>","inference":"warm","tags":["a","b"],
            "trendingScore":3.5,"cardData":{"license":"mit","language":["en","fr"],"custom":1},
            "widgetData":[{"text":"hi"}],"model-index":null,"config":{"model_type":"gpt2"},
            "transformersInfo":{"auto_model":"AutoModelForCausalLM","processor":"AutoTokenizer"},
            "siblings":[{"rfilename":"config.json"}],"spaces":["s/one"],
            "safetensors":{"parameters":{"F32":10,"BF16":5},"total":15},
            "gguf":{"total":7,"architecture":"llama","context_length":4096,"chat_template":"x"},
            "securityRepoStatus":{"scansDone":true},"baseModels":{"models":[]},
            "childrenModelCount":2,"usedStorage":1_000_000_000_000_u64,
            "inferenceProviderMapping":{"together":{"status":"live","providerId":"p","task":"conversational"}}
        })
        .to_string(),
        |m| {
            assert_eq!(m.id, "gpt2");
            assert!(m.sha.is_none() && m.siblings.is_none() && m.tags.is_empty());
        },
        |m| {
            assert_eq!(m.sha.as_ref().unwrap().as_str(), SHA);
            assert_eq!(m.gated, Some(GatedMode::Auto));
            assert_eq!(m.inference, Some(InferenceStatus::Warm));
            assert_eq!(m.card_data.as_ref().unwrap().license.as_deref(), Some("mit"));
            assert_eq!(m.card_data.as_ref().unwrap().extra["custom"], 1);
            assert_eq!(m.safetensors.as_ref().unwrap().total, 15);
            assert_eq!(m.gguf.as_ref().unwrap().context_length, Some(4096));
            assert_eq!(m.used_storage, Some(1_000_000_000_000));
            assert_eq!(m.last_modified.unwrap().to_string(), "2024-02-19T10:57:45.000Z");
            assert_eq!(m.inference_provider_mapping.as_ref().unwrap().len(), 1);
        },
    );
    // `siblings: null` (seen on the Hub) reads as "not listed".
    let m: ModelInfo = parse(r#"{"id":"x","siblings":null,"tags":null}"#);
    assert!(m.siblings.is_none() && m.tags.is_empty());
}

#[test]
fn dataset_info() {
    cases::<DatasetInfo>(
        r#"{"id":"squad"}"#,
        &json!({
            "_id":"x","id":"rajpurkar/squad","author":"rajpurkar","sha":SHA,
            "createdAt":"2022-01-01T00:00:00.000Z","lastModified":"2024-01-01T00:00:00Z",
            "private":false,"gated":false,"disabled":false,"downloads":1,"downloadsAllTime":2,
            "likes":3,"paperswithcode_id":"squad","tags":["task_categories:qa"],"trendingScore":1,
            "cardData":{"license":["cc-by-4.0"],"pretty_name":"SQuAD","configs":[{"config_name":"plain_text"}]},
            "siblings":[{"rfilename":"README.md","size":10}],"citation":"@article{}","description":"QA",
            "usedStorage":99
        })
        .to_string(),
        |d| assert_eq!(d.id, "squad"),
        |d| {
            assert_eq!(d.paperswithcode_id.as_deref(), Some("squad"));
            let card = d.card_data.as_ref().unwrap();
            assert_eq!(card.license.as_ref().unwrap().as_slice(), ["cc-by-4.0"]);
            assert_eq!(card.pretty_name.as_deref(), Some("SQuAD"));
            assert!(card.configs.is_some());
            assert_eq!(d.gated, Some(GatedMode::Off));
            assert_eq!(d.siblings.as_ref().unwrap()[0].size, Some(10));
        },
    );
}

#[test]
fn space_info() {
    cases::<SpaceInfo>(
        r#"{"id":"user/app"}"#,
        &json!({
            "_id":"x","id":"user/app","author":"user","sha":SHA,"createdAt":"2023-01-01T00:00:00.000Z",
            "lastModified":"2023-06-01T00:00:00.000Z","private":true,"gated":false,"disabled":false,
            "host":"https://user-app.hf.space","subdomain":"user-app","likes":4,"sdk":"gradio",
            "tags":["gradio"],"siblings":[{"rfilename":"app.py"}],"trendingScore":0,
            "cardData":{"title":"App","sdk":"gradio","app_port":7860,"colorFrom":"red","emoji":"🚀"},
            "runtime":{"stage":"RUNNING","hardware":{"current":"cpu-basic","requested":"cpu-basic"}},
            "models":["gpt2"],"datasets":["squad"],"usedStorage":5
        })
        .to_string(),
        |s| assert!(s.runtime.is_none() && s.sdk.is_none()),
        |s| {
            assert_eq!(s.sdk, Some(SpaceSdk::Gradio));
            let rt = s.runtime.as_ref().unwrap();
            assert_eq!(rt.stage, SpaceStage::Running);
            assert_eq!(rt.current_hardware(), Some(&SpaceHardware::CpuBasic));
            let card = s.card_data.as_ref().unwrap();
            assert_eq!((card.app_port, card.color_from.as_deref()), (Some(7860), Some("red")));
            assert_eq!(s.models, ["gpt2"]);
        },
    );
}

#[test]
fn sibling_lfs_and_tree_entries() {
    cases::<RepoSibling>(
        r#"{"rfilename":"a/b.bin"}"#,
        &json!({"rfilename":"a/b.bin","size":5,"blobId":SHA,
                "lfs":{"size":5,"sha256":SHA256,"pointerSize":130}})
        .to_string(),
        |s| assert_eq!(s.path().unwrap().file_name(), "b.bin"),
        |s| {
            assert_eq!(s.blob_id.as_deref(), Some(SHA));
            assert_eq!(s.lfs.as_ref().unwrap().sha256, SHA256);
        },
    );
    cases::<BlobLfsInfo>(
        &json!({"size":1,"oid":SHA256,"pointerSize":2}).to_string(),
        &json!({"size":1,"sha256":SHA256,"pointerSize":2}).to_string(),
        |l| assert_eq!(l.sha256, SHA256, "tree form uses `oid`"),
        |l| assert_eq!((l.size, l.pointer_size), (1, 2)),
    );
    cases::<LastCommitInfo>(
        &json!({"id":SHA,"title":"t","date":"2024-01-01T00:00:00.000Z"}).to_string(),
        &json!({"id":SHA,"title":"Update","date":"2024-01-01T00:00:00Z"}).to_string(),
        |c| assert_eq!(c.oid.as_str(), SHA),
        |c| assert_eq!(c.title, "Update"),
    );
    cases::<BlobSecurityInfo>(
        r#"{"status":"unscanned"}"#,
        r#"{"status":"safe","avScan":{"virusFound":false},"pickleImportScan":{"highestSafetyLevel":"innocuous"}}"#,
        |s| assert!(!s.is_safe()),
        |s| assert!(s.is_safe() && s.av_scan.is_some() && s.pickle_import_scan.is_some()),
    );
    cases::<RepoFile>(
        &json!({"path":"config.json","size":313,"oid":SHA}).to_string(),
        &json!({"path":"w.bin","size":10,"oid":SHA,"lfs":{"oid":SHA256,"size":10,"pointerSize":134},
                "lastCommit":{"id":SHA,"title":"t","date":"2024-01-01T00:00:00.000Z"},
                "securityFileStatus":{"status":"safe","avScan":{},"pickleImportScan":{}},"xetHash":"ab"})
        .to_string(),
        |f| assert_eq!((f.size, f.blob_id.as_str()), (313, SHA)),
        |f| {
            assert_eq!(f.lfs.as_ref().unwrap().sha256, SHA256);
            assert!(f.security_file_status.as_ref().unwrap().is_safe());
            assert_eq!(f.xet_hash.as_deref(), Some("ab"));
        },
    );
    cases::<RepoFolder>(
        &json!({"path":"sub","oid":SHA}).to_string(),
        &json!({"path":"sub","oid":SHA,"lastCommit":{"id":SHA,"title":"t","date":"2024-01-01T00:00:00Z"}})
            .to_string(),
        |d| assert_eq!(d.tree_id, SHA),
        |d| assert!(d.last_commit.is_some()),
    );
    cases::<RepoTreeEntry>(
        &json!({"type":"directory","path":"sub","oid":SHA}).to_string(),
        &json!({"type":"file","path":"a.txt","size":3,"oid":SHA,"lastCommit":{"id":SHA,"title":"t","date":"2024-01-01T00:00:00Z"}})
            .to_string(),
        |e| assert!(matches!(e, RepoTreeEntry::Folder(d) if d.path == "sub")),
        |e| assert_eq!(e.as_file().unwrap().size, 3),
    );
    // Any type other than "file" is a folder, like the Python client.
    let odd: RepoTreeEntry = parse(&json!({"type":"submodule","path":"m","oid":SHA}).to_string());
    assert!(matches!(odd, RepoTreeEntry::Folder(_)));
    let err = serde_json::from_str::<RepoTreeEntry>(r#"{"type":"file","path":"a","oid":"x"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("size"), "{err}");
    let json = serde_json::to_value(RepoTreeEntry::Folder(parse(
        &json!({"path":"p","oid":SHA}).to_string(),
    )))
    .unwrap();
    assert_eq!(json["type"], "directory");
}

#[test]
fn commit_info() {
    cases::<CommitInfo>(
        &json!({"commitUrl":format!("https://huggingface.co/user/m/commit/{SHA}"),"commitOid":SHA}).to_string(),
        &json!({"success":true,"commitOid":SHA,
                "commitUrl":format!("https://hub.example:8443/datasets/org/ds/commit/{SHA}"),
                "pullRequestUrl":"https://hub.example:8443/datasets/org/ds/discussions/12","hookOutput":""})
        .to_string(),
        |c| {
            let url = c.repo_url().unwrap();
            assert_eq!((url.repo_type(), url.repo_id().as_str()), (RepoType::Model, "user/m"));
            assert_eq!(c.pr_num(), None);
        },
        |c| {
            let url = c.repo_url().unwrap();
            assert_eq!(url.endpoint(), Some("https://hub.example:8443"));
            assert_eq!(url.repo_type(), RepoType::Dataset);
            assert_eq!(c.pr_num(), Some(12));
            assert_eq!(c.pr_revision().unwrap().url_segment(), "refs%2Fpr%2F12");
        },
    );
}

#[test]
fn commit_info_constructor() {
    let oid = CommitOid::new(SHA).unwrap();
    let info = CommitInfo::new(
        format!("https://huggingface.co/spaces/u/s/commit/{SHA}"),
        oid.clone(),
    );
    assert_eq!(info.commit_oid, oid);
    assert_eq!(info.repo_url().unwrap().repo_type(), RepoType::Space);
    assert!(info.pr_revision().is_none());
}

#[test]
fn refs_and_history() {
    let r = json!({"name":"main","ref":"refs/heads/main","targetCommit":SHA});
    cases::<GitRefInfo>(
        &r.to_string(),
        &json!({"name":"v1","ref":"refs/tags/v1","targetCommit":SHA}).to_string(),
        |g| assert_eq!(g.git_ref, "refs/heads/main"),
        |g| assert_eq!(g.target_commit.as_str(), SHA),
    );
    cases::<GitRefs>(
        r#"{"branches":[],"converts":[],"tags":[]}"#,
        &json!({"branches":[r],"converts":[{"name":"parquet","ref":"refs/convert/parquet","targetCommit":SHA}],
                "tags":[],"pullRequests":[{"name":"refs/pr/1","ref":"refs/pr/1","targetCommit":SHA}]})
        .to_string(),
        |g| assert!(g.branches.is_empty() && g.pull_requests.is_none()),
        |g| {
            assert_eq!(g.branches[0].name, "main");
            assert_eq!(g.pull_requests.as_ref().unwrap().len(), 1);
        },
    );
    cases::<GitCommitInfo>(
        &json!({"id":SHA,"authors":[{"user":"alice"}],"date":"2024-01-01T00:00:00.000Z","title":"t","message":""})
            .to_string(),
        &json!({"id":SHA,"authors":[{"user":"alice","avatar":"https://a"}],"date":"2024-01-01T00:00:00.000Z",
                "title":"Add","message":"Add\n\nbody","formatted":{"title":"<p>Add</p>","message":"<p>body</p>"}})
        .to_string(),
        |c| assert_eq!(c.authors[0].user, "alice"),
        |c| assert_eq!(c.formatted.as_ref().unwrap().title.as_deref(), Some("<p>Add</p>")),
    );
}

#[test]
fn users_and_identity() {
    cases::<User>(
        "{}",
        &json!({"user":"alice","fullname":"Alice","avatarUrl":"/a.png","details":"hi","isFollowing":false,
                "isPro":true,"numModels":1,"numDatasets":2,"numSpaces":3,"numDiscussions":4,"numPapers":5,
                "numUpvotes":6,"numLikes":7,"numFollowing":8,"numFollowers":9,"type":"user",
                "orgs":[{"name":"org","fullname":"Org","avatarUrl":"/o.png"}]})
        .to_string(),
        |u| assert!(u.username.is_none() && u.orgs.is_empty()),
        |u| {
            assert_eq!(u.username.as_deref(), Some("alice"));
            assert_eq!(u.user_type, Some(AccountType::User));
            assert_eq!((u.num_followers, u.orgs[0].name.as_str()), (Some(9), "org"));
        },
    );
    cases::<Organization>(
        r#"{"name":"org"}"#,
        r#"{"name":"org","fullname":"Org","avatarUrl":"/o","details":"d","isVerified":true,"isFollowing":false,
            "numUsers":3,"numModels":4,"numSpaces":5,"numDatasets":6,"numFollowers":7,"numPapers":8,"plan":"team"}"#,
        |o| assert_eq!(o.name, "org"),
        |o| {
            assert_eq!(
                (o.is_verified, o.plan.as_deref()),
                (Some(true), Some("team"))
            );
        },
    );
    cases::<WhoAmI>(
        r#"{"name":"alice"}"#,
        &json!({"type":"user","id":"1","name":"alice","fullname":"Alice","email":"a@x","emailVerified":true,
                "canPay":false,"isPro":false,"avatarUrl":"/a","periodEnd":null,
                "orgs":[{"type":"org","name":"org","roleInOrg":"admin","isEnterprise":false}],
                "auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"fineGrained",
                  "createdAt":"2024-01-01T00:00:00.000Z",
                  "fineGrained":{"canReadGatedRepos":true,"global":["discussion.write"],
                    "scoped":[{"entity":{"_id":"x","type":"model","name":"alice/m"},"permissions":["repo.content.read"]}]}}}})
        .to_string(),
        |w| assert!(w.account_type.is_none() && w.token_role().is_none()),
        |w| {
            assert_eq!(w.account_type, Some(AccountType::User));
            assert_eq!(w.token_role(), Some(&TokenRole::FineGrained));
            let token = w.auth.as_ref().unwrap().access_token.as_ref().unwrap();
            let scopes = token.fine_grained.as_ref().unwrap();
            assert_eq!(scopes.scoped[0].entity.name.as_deref(), Some("alice/m"));
            assert_eq!(w.orgs[0].role_in_org.as_deref(), Some("admin"));
        },
    );
    cases::<LikedRepo>(
        r#"{"repo":{"name":"gpt2","type":"model"}}"#,
        r#"{"createdAt":"2024-01-01T00:00:00.000Z","repo":{"name":"u/b","type":"bucket"}}"#,
        |l| assert_eq!(l.repo.repo_type, LikedRepoType::Model),
        |l| assert!(l.repo.repo_type.is_unknown()),
    );
    let likes: Vec<LikedRepo> = parse(
        r#"[{"repo":{"name":"m","type":"model"}},{"repo":{"name":"d","type":"dataset"}},
            {"repo":{"name":"s","type":"space"}},{"repo":{"name":"k","type":"kernel"}},
            {"repo":{"name":"b","type":"bucket"}}]"#,
    );
    let grouped = UserLikes::from_likes("alice", &likes);
    assert_eq!(
        (
            grouped.total,
            grouped.models.as_slice(),
            grouped.spaces.as_slice(),
            grouped.kernels.as_slice()
        ),
        (
            5,
            &["m".to_owned()][..],
            &["s".to_owned()][..],
            &["k".to_owned()][..]
        )
    );
    cases::<UserLikes>(
        r#"{"user":"u","total":0,"models":[],"datasets":[],"spaces":[]}"#,
        r#"{"user":"u","total":2,"models":["m"],"datasets":["d"],"spaces":[]}"#,
        |l| assert_eq!(l.total, 0),
        |l| assert_eq!(l.datasets, ["d"]),
    );
    cases::<RepoLiker>(
        r#"{"user":"bob"}"#,
        r#"{"user":"bob","fullname":"Bob","avatarUrl":"/b"}"#,
        |l| assert_eq!(l.user, "bob"),
        |l| assert_eq!(l.fullname.as_deref(), Some("Bob")),
    );
    cases::<AccessRequest>(
        r#"{"status":"pending","timestamp":"2024-01-01T00:00:00.000Z"}"#,
        r#"{"user":{"user":"bob","fullname":"Bob","email":"b@x"},"status":"accepted",
            "timestamp":"2024-01-01T00:00:00.000Z","fields":{"company":"X"},"requestId":"r1"}"#,
        |r| {
            assert_eq!(
                (r.username(), &r.status),
                (None, &AccessRequestStatus::Pending)
            );
        },
        |r| {
            assert_eq!(r.username(), Some("bob"));
            assert_eq!(r.fields.as_ref().unwrap()["company"], "X");
        },
    );
}

#[test]
fn webhooks() {
    cases::<WebhookWatchedItem>(
        r#"{"type":"model","name":"gpt2"}"#,
        r#"{"type":"bucket","name":"b"}"#,
        |w| {
            assert_eq!(
                w,
                &WebhookWatchedItem::new(WebhookWatchedType::Model, "gpt2")
            );
        },
        |w| assert_eq!(w.item_type.as_str(), "bucket"),
    );
    cases::<WebhookInfo>(
        r#"{"id":"w1"}"#,
        r#"{"id":"w1","url":"https://x/hook","watched":[{"type":"user","name":"alice"}],
            "domains":["repo","discussions"],"secret":"s3cr3t","disabled":true}"#,
        |w| assert!(!w.disabled && w.watched.is_empty() && w.secret.is_none()),
        |w| {
            assert_eq!(w.domains, [WebhookDomain::Repo, WebhookDomain::Discussions]);
            assert_eq!(w.secret.as_ref().unwrap().expose(), "s3cr3t");
            assert!(
                !format!("{w:?}").contains("s3cr3t"),
                "secret must not show in Debug"
            );
        },
    );
    cases::<WebhookEnvelope>(
        r#"{"webhook":{"id":"w1"}}"#,
        r#"{"webhook":{"id":"w2","url":"u","watched":[],"domains":[],"secret":null,"disabled":false}}"#,
        |e| assert_eq!(e.webhook.id, "w1"),
        |e| assert_eq!(e.webhook.url.as_deref(), Some("u")),
    );
    cases::<WebhookPayload>(
        r#"{"event":{"action":"create","scope":"repo"},"repo":{"id":"1","name":"m","type":"model"},
            "webhook":{"id":"w","version":3}}"#,
        r#"{"event":{"action":"move","scope":"repo"},"repo":{"id":"1","name":"a/m","type":"model","private":false,
            "owner":{"id":"o"},"url":{"web":"https://h/a/m"},"headSha":"abc","tags":["t"]},
            "discussion":{"id":"d","num":3,"title":"T","status":"open","isPullRequest":true,"author":{"id":"u"},
              "url":{"web":"w","api":"a"},"changes":{"base":"refs/heads/main"}},
            "comment":{"id":"c","author":{"id":"u"},"hidden":false,"content":"hi","url":{"web":"w"}},
            "webhook":{"id":"w","version":3},"movedTo":{"name":"b/m","owner":{"id":"o2"}},
            "updatedRefs":[{"ref":"refs/heads/main","oldSha":"1","newSha":null}]}"#,
        |p| {
            assert_eq!(
                (p.event.action.clone(), p.webhook.version),
                (WebhookAction::Create, 3)
            );
        },
        |p| {
            assert_eq!(p.moved_to.as_ref().unwrap().name, "b/m");
            assert_eq!(
                p.discussion
                    .as_ref()
                    .unwrap()
                    .changes
                    .as_ref()
                    .unwrap()
                    .base,
                "refs/heads/main"
            );
            assert_eq!(p.repo.head_sha.as_deref(), Some("abc"));
            assert_eq!(p.updated_refs[0].new_sha, None);
        },
    );
}

#[test]
fn safetensors() {
    cases::<TensorInfo>(
        r#"{"dtype":"F32","shape":[],"data_offsets":[0,4]}"#,
        r#"{"dtype":"BF16","shape":[2,3,4],"data_offsets":[4,52]}"#,
        |t| assert_eq!(t.parameter_count(), 1, "a scalar counts as one"),
        |t| assert_eq!((t.parameter_count(), t.data_offsets), (24, (4, 52))),
    );
    cases::<SafeTensorsInfo>(
        r#"{"total":0}"#,
        r#"{"parameters":{"F32":10,"I64":2},"total":12}"#,
        |s| assert!(s.parameters.is_empty()),
        |s| assert_eq!(s.parameters["I64"], 2),
    );
    let header = r#"{"__metadata__":{"format":"pt"},
        "a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},
        "b":{"dtype":"F32","shape":[3],"data_offsets":[16,28]},
        "c":{"dtype":"I64","shape":[0,5],"data_offsets":[28,28]}}"#;
    // Every top-level key of a header is a tensor, so unknown keys go inside tensors.
    cases_with::<SafetensorsFileMetadata>(
        "{}",
        header,
        |v| add_unknown_keys(&mut v["a"]),
        |f| assert!(f.tensors.is_empty() && f.metadata.is_empty()),
        |f| {
            assert_eq!(f.metadata["format"], "pt");
            assert_eq!(
                f.tensors.len(),
                3,
                "unknown top-level keys would be tensors"
            );
        },
    );
    let file: SafetensorsFileMetadata = parse(header);
    assert_eq!(
        file.parameter_count().into_iter().collect::<Vec<_>>(),
        [("F32".to_owned(), 7), ("I64".to_owned(), 0)]
    );
    // A tensor entry missing its offsets is an error, not silently metadata.
    let err =
        serde_json::from_str::<SafetensorsFileMetadata>(r#"{"t":{"dtype":"F32"}}"#).unwrap_err();
    assert!(err.to_string().contains("\"t\""), "{err}");
    cases::<SafetensorsRepoMetadata>(
        r#"{"sharded":false}"#,
        &json!({"metadata":{"total_size":44},"sharded":true,"weight_map":{"a":"m-1.safetensors","b":"m-2.safetensors"},
                "files_metadata":{"m-1.safetensors":{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}},
                                  "m-2.safetensors":{"b":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}}})
        .to_string(),
        |r| assert!(!r.sharded && r.files_metadata.is_empty()),
        |r| {
            let counts = r.parameter_count();
            assert_eq!((counts["F32"], counts["F16"]), (2, 4));
            assert_eq!(r.weight_map["b"], "m-2.safetensors");
        },
    );
    cases::<SafetensorsIndex>(
        r#"{"weight_map":{}}"#,
        r#"{"metadata":{"total_size":8},"weight_map":{"a":"m-1.safetensors"}}"#,
        |i| assert!(i.metadata.is_none()),
        |i| assert_eq!(i.weight_map.len(), 1),
    );
    cases::<TransformersInfo>(
        r#"{"auto_model":"AutoModel"}"#,
        r#"{"auto_model":"AutoModel","custom_class":"X","pipeline_tag":"fill-mask","processor":"AutoTokenizer"}"#,
        |t| assert!(t.processor.is_none()),
        |t| assert_eq!(t.custom_class.as_deref(), Some("X")),
    );
}

#[test]
fn spaces() {
    cases::<SpaceRuntime>(
        r#"{"stage":"BUILDING"}"#,
        r#"{"stage":"SOME_NEW_STAGE","hardware":{"current":"t4-small","requested":"h100x8"},"gcTimeout":3600,
            "storage":"small","replicas":{"current":1,"requested":2},"devMode":true,
            "domains":[{"domain":"x.hf.space","stage":"READY"}],"errorMessage":"boom"}"#,
        |r| assert!(r.stage == SpaceStage::Building && r.hardware.is_none()),
        |r| {
            assert_eq!(r.stage.as_str(), "SOME_NEW_STAGE");
            assert_eq!(r.current_hardware(), Some(&SpaceHardware::T4Small));
            assert!(r.requested_hardware().unwrap().is_unknown());
            assert_eq!(r.storage, Some(SpaceStorage::Small));
            assert_eq!(r.replicas.as_ref().unwrap().requested, Some(2));
        },
    );
    cases::<SpaceVariable>(
        r#"{"value":"1"}"#,
        r#"{"value":"1","description":"d","updatedAt":"2023-12-21T15:48:14.457Z"}"#,
        |v| assert!(v.description.is_none()),
        |v| {
            assert_eq!(
                v.updated_at.unwrap().to_string(),
                "2023-12-21T15:48:14.457Z"
            );
        },
    );
    let vars: SpaceVariables = parse(r#"{"A":{"value":"1","future":true},"B":{"value":"2"}}"#);
    assert_eq!(vars["B"].value, "2");
    for (wire, stage) in [
        ("NO_APP_FILE", SpaceStage::NoAppFile),
        ("PAUSED", SpaceStage::Paused),
    ] {
        assert_eq!(parse::<SpaceStage>(&format!("\"{wire}\"")), stage);
    }
    assert_eq!(SpaceHardware::from("zero-a10g"), SpaceHardware::ZeroA10g);
    assert_eq!(
        serde_json::to_string(&SpaceStorage::Large).unwrap(),
        "\"large\""
    );
    assert!(SpaceStorage::from("huge").is_unknown());
}

#[test]
fn discussions() {
    let base = json!({"num":3,"title":"Fix","status":"open","createdAt":"2024-01-01T00:00:00.000Z","isPullRequest":false});
    cases::<Discussion>(
        &base.to_string(),
        r#"{"num":4,"title":"PR","status":"draft","createdAt":"2024-01-01T00:00:00.000Z","isPullRequest":true,
            "repo":{"name":"u/m","type":"model"},"author":{"name":"bob","avatarUrl":"/b","isPro":false},
            "pinned":false,"numComments":2}"#,
        |d| assert_eq!((d.num, d.author_name()), (3, "deleted")),
        |d| {
            assert_eq!(d.status, DiscussionStatus::Draft);
            assert_eq!(d.author_name(), "bob");
            assert_eq!(
                d.repo.as_ref().unwrap().repo_type,
                DiscussionRepoType::Model
            );
        },
    );
    cases::<DiscussionsPage>(
        r#"{"discussions":[],"count":0,"start":0}"#,
        &json!({"discussions":[base],"count":51,"start":50,"numClosedDiscussions":7}).to_string(),
        |p| assert!(p.discussions.is_empty()),
        |p| {
            assert_eq!(
                (p.discussions.len(), p.count, p.num_closed_discussions),
                (1, 51, Some(7))
            );
        },
    );
    let t = "2024-01-02T00:00:00.000Z";
    cases::<DiscussionWithDetails>(
        &base.to_string(),
        &json!({"num":5,"title":"PR","status":"merged","createdAt":t,"isPullRequest":true,
                "author":{"name":"bob"},"changes":{"base":"refs/heads/main","mergeCommitId":SHA},
                "filesWithConflicts":["a.txt"],"diff":"diff --git a b",
                "events":[
                  {"id":"e1","type":"comment","createdAt":t,"author":{"name":"bob"},
                   "data":{"edited":false,"hidden":false,"latest":{"raw":"hello","html":"<p>hello</p>","updatedAt":t}}},
                  {"id":"e2","type":"status-change","createdAt":t,"data":{"status":"merged"}},
                  {"id":"e3","type":"title-change","createdAt":t,"data":{"from":"a","to":"b"}},
                  {"id":"e4","type":"commit","createdAt":t,"data":{"subject":"Upload","oid":SHA}},
                  {"id":"e5","type":"pinning","createdAt":t,"data":{"pinned":true}}]})
        .to_string(),
        |d| assert!(d.events.is_empty() && d.changes.is_none()),
        |d| {
            assert_eq!(d.discussion.status, DiscussionStatus::Merged);
            assert_eq!(d.files_with_conflicts, Some(FilesWithConflicts::Paths(vec!["a.txt".into()])));
            let kinds: Vec<_> = d.events.iter().map(|e| &e.kind).collect();
            assert!(matches!(kinds[0], DiscussionEventKind::Comment(c) if c.latest.raw == "hello"));
            assert!(matches!(kinds[1], DiscussionEventKind::StatusChange(s) if s.status == DiscussionStatus::Merged));
            assert!(matches!(kinds[2], DiscussionEventKind::TitleChange(c) if c.to == "b"));
            assert!(matches!(kinds[3], DiscussionEventKind::Commit(c) if c.oid == SHA));
            assert!(matches!(kinds[4], DiscussionEventKind::Other { event_type, .. } if event_type == "pinning"));
        },
    );
    cases::<DiscussionEvent>(
        r#"{"id":"e","type":"status-change","createdAt":"2024-01-01T00:00:00Z","data":{"status":"closed"}}"#,
        r#"{"id":"e","type":"comment","createdAt":"2024-01-01T00:00:00Z","author":{"name":"a"},
            "data":{"edited":true,"hidden":true,"latest":{"raw":"x","author":{"name":"a"}},"history":[{"raw":"w"}]}}"#,
        |e| {
            assert!(
                matches!(&e.kind, DiscussionEventKind::StatusChange(s) if s.status == DiscussionStatus::Closed)
            );
        },
        |e| {
            assert!(
                matches!(&e.kind, DiscussionEventKind::Comment(c) if c.edited && c.hidden && c.history.len() == 1)
            );
        },
    );
    // A known event type with broken data names the event type.
    let err = serde_json::from_str::<DiscussionEvent>(
        r#"{"id":"e","type":"title-change","createdAt":"2024-01-01T00:00:00Z","data":{"from":"a"}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("title-change"), "{err}");
    let flag: FilesWithConflicts = parse("true");
    assert_eq!(flag, FilesWithConflicts::Flag(true));
}

#[test]
fn collections() {
    cases::<CollectionItem>(
        r#"{"_id":"i1","id":"gpt2","type":"model"}"#,
        r#"{"_id":"i1","id":"2311.12983","type":"paper","position":2,"note":{"text":"nice","html":"<p>nice</p>"},
            "author":"x","upvotes":3}"#,
        |i| {
            assert_eq!(
                (i.item_type.clone(), i.note.is_none()),
                (CollectionItemType::Model, true)
            );
        },
        |i| {
            assert_eq!(i.item_type, CollectionItemType::Paper);
            assert_eq!(i.note.as_ref().unwrap().text, "nice");
        },
    );
    cases::<Collection>(
        r#"{"slug":"u/c-0123456789abcdef01234567","title":"C"}"#,
        r#"{"slug":"u/c-0123456789abcdef01234567","title":"C","owner":{"name":"u","type":"user","isPro":false},
            "items":[{"_id":"i","id":"d","type":"dataset","position":0}],"lastUpdated":"2024-01-01T00:00:00.000Z",
            "position":1,"private":false,"theme":"blue","upvotes":5,"description":"desc"}"#,
        |c| assert!(c.items.is_empty() && c.position.is_none()),
        |c| {
            assert_eq!(c.owner.as_ref().unwrap().name, "u");
            assert_eq!(c.items[0].item_type, CollectionItemType::Dataset);
            assert_eq!(
                c.url("https://hf.co/"),
                "https://hf.co/collections/u/c-0123456789abcdef01234567"
            );
        },
    );
}

#[test]
fn papers() {
    cases::<PaperInfo>(
        "{}",
        r#"{"id":"2311.12983","title":"GAIA","authors":[{"name":"Top"}],"publishedAt":"2023-11-21T00:00:00.000Z",
            "summary":"top","upvotes":1,"discussionId":"d","source":"arxiv","numComments":4,
            "submittedOnDailyAt":"2023-11-22T00:00:00.000Z","submittedOnDailyBy":{"user":"ak","fullname":"AK"},
            "paper":{"id":"2311.12983","authors":[{"_id":"a1","name":"Grégoire","hidden":false},{"name":"Clémentine"}],
                     "publishedAt":"2023-11-20T00:00:00.000Z","summary":"nested","upvotes":9,"discussionId":"d"}}"#,
        |p| assert!(p.paper_id().is_none() && p.author_names().is_empty()),
        |p| {
            assert_eq!(p.paper_id(), Some("2311.12983"));
            assert_eq!(p.author_names(), ["Grégoire", "Clémentine"]);
            assert_eq!(p.abstract_text(), Some("nested"));
            assert_eq!(p.upvote_count(), Some(9));
            assert_eq!(
                p.published().unwrap().to_string(),
                "2023-11-20T00:00:00.000Z"
            );
            assert_eq!(
                p.submitted_by.as_ref().unwrap().username.as_deref(),
                Some("ak")
            );
        },
    );
}

#[test]
fn inference_endpoints() {
    let sparse = json!({"name":"e","type":"protected",
        "model":{"repository":"gpt2"},
        "status":{"state":"running","createdAt":"2023-10-26T12:41:53.263078506Z","updatedAt":"2023-10-26T12:41:53Z"}});
    cases::<InferenceEndpoint>(
        &sparse.to_string(),
        r#"{"name":"e","type":"authenticated","accountId":null,"provider":{"vendor":"aws","region":"us-east-1"},
            "healthRoute":"/health","compute":{"accelerator":"gpu","instanceType":"nvidia-a10g","instanceSize":"x1",
            "scaling":{"minReplica":0,"maxReplica":1,"scaleToZeroTimeout":15}},
            "model":{"repository":"gpt2","revision":"main","task":"text-generation","framework":"pytorch",
            "image":{"huggingface":{}},"secrets":{"TOKEN":"hunter2"}},
            "status":{"state":"scaledToZero","createdAt":"2023-10-26T12:41:53.263Z","updatedAt":"2023-10-26T12:41:53.263Z",
            "createdBy":{"id":"1","name":"w"},"message":"m","url":"https://e.cloud","readyReplica":0,"targetReplica":0}}"#,
        |e| {
            assert_eq!(e.status.state, InferenceEndpointStatus::Running);
            assert_eq!(
                e.status.created_at.as_jiff().subsec_nanosecond(),
                263_078_506
            );
        },
        |e| {
            assert_eq!(e.endpoint_type, InferenceEndpointType::Authenticated);
            assert_eq!(e.status.state, InferenceEndpointStatus::ScaledToZero);
            assert_eq!(
                e.compute
                    .as_ref()
                    .unwrap()
                    .scaling
                    .as_ref()
                    .unwrap()
                    .scale_to_zero_timeout,
                Some(15)
            );
            assert_eq!(e.model.secrets["TOKEN"].expose(), "hunter2");
            assert!(!format!("{e:?}").contains("hunter2"));
        },
    );
    cases::<InferenceEndpointList>(
        r#"{"items":[]}"#,
        &json!({"items":[sparse]}).to_string(),
        |l| assert!(l.items.is_empty()),
        |l| assert_eq!(l.items[0].name, "e"),
    );
    cases::<InferenceEndpointProviders>(
        r#"{"vendors":[]}"#,
        r#"{"vendors":[{"name":"aws","status":"available","regions":[{"name":"us-east-1","label":"N. Virginia",
            "computes":[{"id":"c1","accelerator":"gpu","numAccelerators":1,"memoryGb":30.0,"gpuMemoryGb":null,
            "pricePerHour":0.8,"quota":{"maxAccelerators":16,"usedAccelerators":1}}]}]}]}"#,
        |p| assert!(p.vendors.is_empty()),
        |p| {
            assert_eq!(
                p.vendors[0].regions[0].computes[0].price_per_hour,
                Some(0.8)
            );
        },
    );
    assert!(InferenceEndpointStatus::from("sleeping").is_unknown());
    assert_eq!(
        InferenceEndpointType::from("private"),
        InferenceEndpointType::Private
    );
}

#[test]
fn card_data() {
    cases::<ModelCardData>(
        "{}",
        r#"{"language":"en","license":"apache-2.0","license_name":"n","license_link":"l","library_name":"peft",
            "tags":["a"],"datasets":"squad","metrics":["f1"],"base_model":["a/b","c/d"],"pipeline_tag":"fill-mask",
            "model_name":"m","new_version":"v","thumbnail":null,"model-index":[{"name":"m"}],"widget":[{"text":"x"}],
            "inference":false,"co2_eq_emissions":{"emissions":1},"extra_gated_prompt":"please"}"#,
        |c| assert!(c.license.is_none() && c.extra.is_empty()),
        |c| {
            assert_eq!(c.language.as_ref().unwrap().as_slice(), ["en"]);
            assert_eq!(c.base_model.as_ref().unwrap().as_slice(), ["a/b", "c/d"]);
            assert_eq!(c.inference, Some(Value::Bool(false)));
            assert_eq!(c.extra["extra_gated_prompt"], "please");
            // `thumbnail: null` does not fit a string, so it stays in `extra` as sent.
            assert!(c.thumbnail.is_none() && c.extra["thumbnail"].is_null());
        },
    );
    // A mistyped known key is kept verbatim in `extra` rather than failing the payload.
    let odd: ModelCardData = parse(r#"{"license":{"name":"custom"},"library_name":"x"}"#);
    assert!(odd.license.is_none());
    assert_eq!(odd.extra["license"]["name"], "custom");
    assert_eq!(
        serde_json::to_value(&odd).unwrap()["license"]["name"],
        "custom"
    );
    cases::<DatasetCardData>(
        "{}",
        r#"{"language":["en"],"license":"mit","annotations_creators":["crowdsourced"],"language_creators":"found",
            "multilinguality":"monolingual","size_categories":["10K<n<100K"],"source_datasets":["original"],
            "task_categories":["question-answering"],"task_ids":["extractive-qa"],"paperswithcode_id":"squad",
            "pretty_name":"SQuAD","tags":[],"config_names":["plain_text"],"configs":[{"config_name":"default"}],
            "dataset_info":{"features":[]},"train-eval-index":[{"config":"plain_text"}]}"#,
        |c| assert!(c.pretty_name.is_none()),
        |c| {
            assert_eq!(c.license.as_ref().unwrap().as_slice(), ["mit"]);
            assert_eq!(
                c.size_categories.as_ref().unwrap().as_slice(),
                ["10K<n<100K"]
            );
            assert!(c.train_eval_index.is_some() && c.dataset_info.is_some());
        },
    );
    cases::<SpaceCardData>(
        "{}",
        r#"{"title":"T","emoji":"x","colorFrom":"red","colorTo":"blue","sdk":"docker","sdk_version":"1",
            "python_version":"3.11","app_file":"app.py","app_port":8080,"license":"mit","duplicated_from":"a/b",
            "models":"gpt2","datasets":["squad"],"tags":["t"],"pinned":true,"short_description":"s"}"#,
        |c| assert!(c.sdk.is_none()),
        |c| {
            assert_eq!(
                (c.app_port, c.pinned, c.models.as_ref().unwrap().as_slice()),
                (Some(8080), Some(true), &["gpt2".to_owned()][..])
            );
        },
    );
}

#[test]
fn upload_negotiation() {
    cases::<PreuploadResponse>(
        r#"{"files":[{"path":"a","uploadMode":"regular","shouldIgnore":false}]}"#,
        &json!({"files":[{"path":"m.bin","uploadMode":"lfs","shouldIgnore":false,"oid":SHA256},
                         {"path":"x.log","uploadMode":"regular","shouldIgnore":true,"oid":null}],"commitOid":SHA})
        .to_string(),
        |p| assert_eq!(p.files[0].oid, None),
        |p| {
            assert_eq!(p.files[0].upload_mode, UploadMode::Lfs);
            assert_eq!(p.files[0].oid.as_deref(), Some(SHA256));
            assert!(p.files[1].should_ignore);
            assert_eq!(p.commit_oid.as_ref().unwrap().as_str(), SHA);
        },
    );
    cases::<LfsBatchResponse>(
        &json!({"objects":[{"oid":SHA256,"size":5}]}).to_string(),
        &json!({"transfer":"multipart","hash_algo":"sha256","objects":[
            {"oid":SHA256,"size":25,"authenticated":true,"actions":{
                "upload":{"href":"https://s3/complete","header":{"chunk_size":10,"2":"https://s3/p2","1":"https://s3/p1","3":"https://s3/p3"},"expires_in":3600},
                "verify":{"href":"https://hub/verify","header":{"Authorization":"Basic x"}}}},
            {"oid":SHA256,"size":7,"error":{"code":422,"message":"bad"}}]})
        .to_string(),
        |b| assert!(b.objects[0].actions.is_none() && b.transfer.is_none()),
        |b| {
            let upload = b.objects[0].actions.as_ref().unwrap().upload.as_ref().unwrap();
            assert_eq!(upload.chunk_size(), Some(10));
            assert_eq!(upload.part_urls(), [(1, "https://s3/p1"), (2, "https://s3/p2"), (3, "https://s3/p3")]);
            assert_eq!(b.objects[1].error.as_ref().unwrap().code, 422);
        },
    );
    let basic: LfsAction = parse(r#"{"href":"https://s3/put","header":{"chunk_size":"7"}}"#);
    assert_eq!(basic.chunk_size(), Some(7));
    assert!(basic.part_urls().is_empty());
}

#[test]
fn repo_lifecycle_and_misc() {
    cases::<CreateRepoResponse>(
        r#"{"url":"https://huggingface.co/user/m"}"#,
        r#"{"url":"https://huggingface.co/spaces/user/app","name":"user/app","id":"67"}"#,
        |r| assert_eq!(r.repo_url().unwrap().repo_type(), RepoType::Model),
        |r| assert_eq!(r.repo_url().unwrap().repo_type(), RepoType::Space),
    );
    cases::<ErrorBody>(
        "{}",
        r#"{"error":"Repository not found","errors":[{"message":"x"}],"url":"u","slug":"s"}"#,
        |e| assert!(e.error.is_none()),
        |e| {
            assert_eq!(
                (e.error.as_deref(), e.errors.len()),
                (Some("Repository not found"), 1)
            );
        },
    );
    cases::<TaskInfo>(
        r#"{"id":"fill-mask"}"#,
        r#"{"id":"fill-mask","label":"Fill-Mask","libraries":["transformers"],"summary":"s","isPlaceholder":false,
            "models":[{"id":"bert","description":"d"}],"datasets":[],"spaces":[],"metrics":[{"id":"f1"}],
            "widgetModels":["bert"],"youtubeId":"y","demo":{"inputs":[]}}"#,
        |t| assert!(t.models.is_empty()),
        |t| {
            assert_eq!(
                (t.models[0].id.as_str(), t.metrics[0].description.as_deref()),
                ("bert", None)
            );
        },
    );
    for (raw, gated) in [
        ("false", GatedMode::Off),
        ("\"auto\"", GatedMode::Auto),
        ("\"manual\"", GatedMode::Manual),
    ] {
        let parsed: GatedMode = parse(raw);
        assert_eq!(parsed, gated);
        assert_eq!(serde_json::to_string(&parsed).unwrap(), raw);
    }
    assert_eq!(
        parse::<GatedMode>("true"),
        GatedMode::Unknown("true".into())
    );
    assert!(parse::<GatedMode>("\"strict\"").is_gated());
    assert!(!GatedMode::Off.is_gated());
}
