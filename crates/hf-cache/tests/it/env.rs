use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hf_cache::CacheLocations;
use hf_cache::env::{is_true, offline_mode};

fn resolve(vars: &[(&str, &str)]) -> CacheLocations {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    CacheLocations::resolve(|k| env.get(k).cloned(), Some(Path::new("/home/u")))
}

#[test]
fn defaults_follow_home() {
    let loc = resolve(&[]);
    assert_eq!(loc.hf_home, Path::new("/home/u/.cache/huggingface"));
    assert_eq!(loc.hub_cache, Path::new("/home/u/.cache/huggingface/hub"));
    assert_eq!(
        loc.assets_cache,
        Path::new("/home/u/.cache/huggingface/assets")
    );
    assert_eq!(
        loc.token_path,
        Path::new("/home/u/.cache/huggingface/token")
    );
    assert!(!loc.disable_symlinks && !loc.disable_symlinks_warning);
}

#[test]
fn xdg_cache_home_moves_hf_home() {
    let loc = resolve(&[("XDG_CACHE_HOME", "/xdg")]);
    assert_eq!(loc.hf_home, Path::new("/xdg/huggingface"));
    assert_eq!(loc.hub_cache, Path::new("/xdg/huggingface/hub"));
}

#[test]
fn hf_home_wins_over_xdg_and_expands_tilde() {
    let loc = resolve(&[("XDG_CACHE_HOME", "/xdg"), ("HF_HOME", "~/hf")]);
    assert_eq!(loc.hf_home, Path::new("/home/u/hf"));
    assert_eq!(loc.hub_cache, Path::new("/home/u/hf/hub"));
}

#[test]
fn hub_cache_precedence_new_over_legacy_over_default() {
    let legacy = resolve(&[("HUGGINGFACE_HUB_CACHE", "/legacy")]);
    assert_eq!(legacy.hub_cache, Path::new("/legacy"));
    let both = resolve(&[
        ("HUGGINGFACE_HUB_CACHE", "/legacy"),
        ("HF_HUB_CACHE", "/new"),
    ]);
    assert_eq!(both.hub_cache, Path::new("/new"));
    let assets = resolve(&[("HUGGINGFACE_ASSETS_CACHE", "/a"), ("HF_TOKEN_PATH", "~/t")]);
    assert_eq!(assets.assets_cache, Path::new("/a"));
    assert_eq!(assets.token_path, Path::new("/home/u/t"));
}

#[test]
fn empty_values_count_as_set_like_python() {
    // os.getenv("HF_HOME", default) returns "" when the variable is set but empty.
    let loc = resolve(&[("HF_HOME", "")]);
    assert_eq!(loc.hf_home, PathBuf::new());
    assert_eq!(loc.hub_cache, Path::new("hub"));
}

#[test]
fn no_home_leaves_tilde_alone() {
    let loc = CacheLocations::resolve(|_| None, None);
    assert_eq!(loc.hub_cache, Path::new("~/.cache/huggingface/hub"));
}

#[test]
fn booleans_parse_like_python() {
    for yes in ["1", "ON", "yes", "True", "tRuE"] {
        assert!(is_true(Some(yes)), "{yes}");
    }
    for no in ["0", "", "off", "no", "false", "2", " 1"] {
        assert!(!is_true(Some(no)), "{no}");
    }
    assert!(!is_true(None));
    let loc = resolve(&[
        ("HF_HUB_DISABLE_SYMLINKS_WARNING", "1"),
        ("HF_HUB_DISABLE_SYMLINKS", "yes"),
    ]);
    assert!(loc.disable_symlinks && loc.disable_symlinks_warning);
}

#[test]
fn offline_mode_falls_back_to_transformers_offline() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert!(offline_mode(env(&[("HF_HUB_OFFLINE", "1")])));
    assert!(offline_mode(env(&[("TRANSFORMERS_OFFLINE", "1")])));
    // Python's `a or b`: an empty HF_HUB_OFFLINE falls through, a "0" does not.
    assert!(offline_mode(env(&[
        ("HF_HUB_OFFLINE", ""),
        ("TRANSFORMERS_OFFLINE", "1")
    ])));
    assert!(!offline_mode(env(&[
        ("HF_HUB_OFFLINE", "0"),
        ("TRANSFORMERS_OFFLINE", "1")
    ])));
    assert!(!offline_mode(env(&[])));
}

#[test]
fn assets_paths_are_sanitized_like_python() {
    let dir = tempfile::tempdir().unwrap();
    let loc = resolve(&[("HF_ASSETS_CACHE", dir.path().to_str().unwrap())]);
    let p = loc.assets_path("my lib", Some("org/name"), None).unwrap();
    assert_eq!(p, dir.path().join("my--lib/org--name/default"));
    assert!(p.is_dir());
    assert!(loc.assets_path("..", None, None).is_err());
}
