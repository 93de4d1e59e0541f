//! Grade schemes and indicator catalogues: dated versions owned by a 组织部, created from the
//! shipped presets, a new version refused in a year the scheme already graded.

use super::*;
// ---------------------------------------------------------------- schemes

const SCHEME_COLS: &str =
    "s.id, s.org_id, o.name AS org_name, o.path AS org_path, s.name, s.kind, s.created_by, s.created_at";
const SCHEME_FROM: &str = "grade_scheme s JOIN org o ON o.id = s.org_id";
const SV_COLS: &str = "id, scheme_id, valid_from, rules, note, created_by, created_at";

/// A new scheme owned by `org`, with its first version.
pub async fn create_scheme(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    name: &str,
    valid_from: NaiveDate,
    scheme: &Scheme,
) -> StoreResult<SchemeRow> {
    scheme.validate()?;
    if name.trim().is_empty() {
        return Err(invalid("方案名称", "请填写方案名称"));
    }
    let rules_json = serde_json::to_string(scheme).expect("serializable");
    let mut tx = store.begin().await?;
    let t = now();
    let actor = scope.actor().name.clone();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_scheme (org_id, name, kind, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &args![org.id, name.trim(), scheme.kind.code(), actor.clone(), t],
        )
        .await?;
    tx.x()
        .execute(
            "INSERT INTO grade_scheme_version (scheme_id, valid_from, rules, note, created_by, created_at) \
             VALUES ($1, $2, $3, '首个版本', $4, $5)",
            &args![id, valid_from, rules_json, actor, t],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.scheme.create",
        &format!("grade_scheme:{id}"),
        "ok",
        json!({ "org": org.id, "name": name.trim(), "valid_from": valid_from, "rules": scheme }),
    )
    .await?;
    tx.commit().await?;
    scheme_get(store, scope, id).await
}

/// A scheme the caller may use.
pub async fn scheme_get(store: &Store, scope: &Scope, id: i64) -> StoreResult<SchemeRow> {
    let s: SchemeRow = store
        .read()
        .fetch_optional(&format!("SELECT {SCHEME_COLS} FROM {SCHEME_FROM} WHERE s.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("定级方案"))?;
    if usable(scope, &s.org_path) {
        Ok(s)
    } else {
        Err(StoreError::NotFound("定级方案"))
    }
}

/// The schemes the caller may use: owned in its scope or above it.
pub async fn schemes(store: &Store, scope: &Scope) -> StoreResult<Vec<SchemeRow>> {
    let all: Vec<SchemeRow> =
        store.read().fetch_all(&format!("SELECT {SCHEME_COLS} FROM {SCHEME_FROM} ORDER BY o.path, s.id"), &[]).await?;
    Ok(all.into_iter().filter(|s| usable(scope, &s.org_path)).collect())
}

pub async fn scheme_versions(store: &Store, s: &SchemeRow) -> StoreResult<Vec<SchemeVersion>> {
    store
        .read()
        .fetch_all(
            &format!("SELECT {SV_COLS} FROM grade_scheme_version WHERE scheme_id = $1 ORDER BY valid_from DESC"),
            &args![s.id],
        )
        .await
}

/// A new dated version of a scheme owned in the caller's scope. It may not begin in a year a
/// cycle of the scheme already grades (that cycle keeps the version it opened with).
pub async fn add_scheme_version(
    store: &Store,
    scope: &Scope,
    scheme_id: i64,
    valid_from: NaiveDate,
    scheme: &Scheme,
    note: &str,
) -> StoreResult<SchemeVersion> {
    let s = scheme_get(store, scope, scheme_id).await?;
    if !scope.contains(&s.org_path) {
        return Err(StoreError::NotFound("定级方案"));
    }
    scheme.validate()?;
    if scheme.kind.code() != s.kind {
        return Err(invalid("方案类型", "新版本的方案类型须与方案一致"));
    }
    let latest_cycle: Option<(i64,)> = store
        .read()
        .fetch_optional("SELECT MAX(year) FROM grade_cycle WHERE scheme_id = $1 HAVING COUNT(*) > 0", &args![scheme_id])
        .await?;
    if let Some((y,)) = latest_cycle {
        if valid_from.year() as i64 <= y {
            return Err(invalid("生效日期", format!("{y}年已按本方案开展定级，新版本须从{}年1月1日或以后生效", y + 1)));
        }
    }
    let versions = scheme_versions(store, &s).await?;
    if versions.iter().any(|v| v.valid_from == valid_from) {
        return Err(invalid("生效日期", format!("已有自 {valid_from} 起生效的版本")));
    }
    let mut tx = store.begin().await?;
    let t = now();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_scheme_version (scheme_id, valid_from, rules, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![
                scheme_id,
                valid_from,
                serde_json::to_string(scheme).expect("serializable"),
                note.trim(),
                scope.actor().name.clone(),
                t
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.scheme.version",
        &format!("grade_scheme:{scheme_id}"),
        "ok",
        json!({ "version": id, "valid_from": valid_from, "rules": scheme, "note": note.trim() }),
    )
    .await?;
    tx.commit().await?;
    store.read().fetch_one(&format!("SELECT {SV_COLS} FROM grade_scheme_version WHERE id = $1"), &args![id]).await
}

// ---------------------------------------------------------------- catalogues

const CAT_COLS: &str = "c.id, c.org_id, o.name AS org_name, o.path AS org_path, c.name, c.created_by, c.created_at";
const CAT_FROM: &str = "grade_catalogue c JOIN org o ON o.id = c.org_id";
const CV_COLS: &str = "id, catalogue_id, valid_from, items, note, created_by, created_at";

pub async fn create_catalogue(
    store: &Store,
    scope: &Scope,
    org: &Visible<Org>,
    name: &str,
    valid_from: NaiveDate,
    c: &Catalogue,
) -> StoreResult<CatalogueRow> {
    c.validate()?;
    if name.trim().is_empty() {
        return Err(invalid("指标体系名称", "请填写指标体系名称"));
    }
    let mut tx = store.begin().await?;
    let t = now();
    let actor = scope.actor().name.clone();
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_catalogue (org_id, name, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &args![org.id, name.trim(), actor.clone(), t],
        )
        .await?;
    tx.x()
        .execute(
            "INSERT INTO grade_catalogue_version (catalogue_id, valid_from, items, note, created_by, created_at) \
             VALUES ($1, $2, $3, '首个版本', $4, $5)",
            &args![id, valid_from, serde_json::to_string(c).expect("serializable"), actor, t],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.catalogue.create",
        &format!("grade_catalogue:{id}"),
        "ok",
        json!({ "org": org.id, "name": name.trim(), "valid_from": valid_from, "items": c }),
    )
    .await?;
    tx.commit().await?;
    catalogue_get(store, scope, id).await
}

pub async fn catalogue_get(store: &Store, scope: &Scope, id: i64) -> StoreResult<CatalogueRow> {
    let c: CatalogueRow = store
        .read()
        .fetch_optional(&format!("SELECT {CAT_COLS} FROM {CAT_FROM} WHERE c.id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("指标体系"))?;
    if usable(scope, &c.org_path) {
        Ok(c)
    } else {
        Err(StoreError::NotFound("指标体系"))
    }
}

pub async fn catalogues(store: &Store, scope: &Scope) -> StoreResult<Vec<CatalogueRow>> {
    let all: Vec<CatalogueRow> =
        store.read().fetch_all(&format!("SELECT {CAT_COLS} FROM {CAT_FROM} ORDER BY o.path, c.id"), &[]).await?;
    Ok(all.into_iter().filter(|c| usable(scope, &c.org_path)).collect())
}

pub async fn catalogue_versions(store: &Store, c: &CatalogueRow) -> StoreResult<Vec<CatalogueVersion>> {
    store
        .read()
        .fetch_all(
            &format!("SELECT {CV_COLS} FROM grade_catalogue_version WHERE catalogue_id = $1 ORDER BY valid_from DESC"),
            &args![c.id],
        )
        .await
}

pub async fn catalogue_version(store: &Store, id: i64) -> StoreResult<CatalogueVersion> {
    store
        .read()
        .fetch_optional(&format!("SELECT {CV_COLS} FROM grade_catalogue_version WHERE id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("指标体系版本"))
}

pub async fn scheme_version(store: &Store, id: i64) -> StoreResult<SchemeVersion> {
    store
        .read()
        .fetch_optional(&format!("SELECT {SV_COLS} FROM grade_scheme_version WHERE id = $1"), &args![id])
        .await?
        .ok_or(StoreError::NotFound("定级方案版本"))
}

/// Edit a catalogue: a new dated version (a cycle keeps the version it opened with).
pub async fn add_catalogue_version(
    store: &Store,
    scope: &Scope,
    catalogue_id: i64,
    valid_from: NaiveDate,
    c: &Catalogue,
    note: &str,
) -> StoreResult<CatalogueVersion> {
    let row = catalogue_get(store, scope, catalogue_id).await?;
    if !scope.contains(&row.org_path) {
        return Err(StoreError::NotFound("指标体系"));
    }
    c.validate()?;
    if catalogue_versions(store, &row).await?.iter().any(|v| v.valid_from == valid_from) {
        return Err(invalid("生效日期", format!("已有自 {valid_from} 起生效的版本")));
    }
    let mut tx = store.begin().await?;
    let id = tx
        .x()
        .scalar(
            "INSERT INTO grade_catalogue_version (catalogue_id, valid_from, items, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &args![
                catalogue_id,
                valid_from,
                serde_json::to_string(c).expect("serializable"),
                note.trim(),
                scope.actor().name.clone(),
                now()
            ],
        )
        .await?;
    crate::audit::record(
        &mut tx,
        scope,
        "grading.catalogue.version",
        &format!("grade_catalogue:{catalogue_id}"),
        "ok",
        json!({ "version": id, "valid_from": valid_from, "items": c, "note": note.trim() }),
    )
    .await?;
    tx.commit().await?;
    catalogue_version(store, id).await
}
