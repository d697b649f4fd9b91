#include "sdrt/store/Migrations.h"

#include "sdrt/common/Log.h"
#include "sdrt/store/Database.h"

#include <QCoreApplication>

namespace sdrt::store {
namespace {

// Version 1: assets, items, prompts; models, generation runs, traces and append-only reviews
// in their first shape (later issues extend them with new migrations).
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE import_batches (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL,
  started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  imported     INTEGER NOT NULL DEFAULT 0 CHECK (imported >= 0),
  duplicates   INTEGER NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
  failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0)
);

CREATE TABLE assets (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('photo','drawing','note')),
  original_name TEXT NOT NULL,
  sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
  page          INTEGER NOT NULL DEFAULT 0 CHECK (page >= 0),
  stored_path   TEXT NOT NULL,
  source_path   TEXT,
  mime          TEXT NOT NULL,
  size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
  width         INTEGER CHECK (width IS NULL OR width > 0),
  height        INTEGER CHECK (height IS NULL OR height > 0),
  dpi           INTEGER CHECK (dpi IS NULL OR dpi > 0),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (sha256, page)
);

CREATE TABLE items (
  id               INTEGER PRIMARY KEY,
  external_id      TEXT,
  question         TEXT NOT NULL,
  reference_answer TEXT,
  answer_type      TEXT NOT NULL DEFAULT 'text'
                   CHECK (answer_type IN ('text','number','yesno','choice','region')),
  task_family      TEXT NOT NULL DEFAULT '',
  split            TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train','eval')),
  tags             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  note_text        TEXT NOT NULL DEFAULT '',
  fingerprint      TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
  import_batch_id  INTEGER REFERENCES import_batches(id) ON DELETE SET NULL,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX items_split_family ON items (split, task_family);

CREATE TABLE item_assets (
  item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE RESTRICT,
  role     TEXT NOT NULL CHECK (role IN ('photo','drawing','note')),
  ord      INTEGER NOT NULL CHECK (ord >= 0),
  PRIMARY KEY (item_id, ord)
);
CREATE INDEX item_assets_asset ON item_assets (asset_id);

CREATE TABLE prompts (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL CHECK (length(name) > 0),
  version      INTEGER NOT NULL CHECK (version >= 1),
  content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
  description  TEXT NOT NULL DEFAULT '',
  body         TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (name, version)
);
CREATE TRIGGER prompts_immutable BEFORE UPDATE ON prompts
BEGIN SELECT RAISE(ABORT, 'prompt versions are immutable; register a new version'); END;

CREATE TABLE models (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  path         TEXT NOT NULL,
  content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
  config       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  role         TEXT NOT NULL CHECK (role IN ('base','student')),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (content_hash)
);

CREATE TABLE generation_runs (
  id          INTEGER PRIMARY KEY,
  model_id    INTEGER NOT NULL REFERENCES models(id),
  prompt_set  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(prompt_set)),
  sampling    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sampling)),
  seed        INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('pending','running','done','failed','cancelled')),
  error       TEXT,
  started_at  TEXT,
  finished_at TEXT
);

CREATE TABLE traces (
  id             INTEGER PRIMARY KEY,
  item_id        INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  prompt_id      INTEGER NOT NULL REFERENCES prompts(id),
  run_id         INTEGER NOT NULL REFERENCES generation_runs(id),
  sample_index   INTEGER NOT NULL CHECK (sample_index >= 0),
  step1_text     TEXT,
  step2_text     TEXT,
  parsed_answer  TEXT,
  step1_tokens   INTEGER,
  step2_tokens   INTEGER,
  mean_logprob   REAL,
  latency_ms     REAL,
  status         TEXT NOT NULL CHECK (status IN ('ok','failed')),
  error          TEXT,
  hidden_ref     TEXT,
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (item_id, prompt_id, run_id, sample_index)
);
CREATE INDEX traces_item ON traces (item_id);

CREATE TABLE reviews (
  id               INTEGER PRIMARY KEY,
  trace_id         INTEGER NOT NULL REFERENCES traces(id),
  reviewer         TEXT NOT NULL CHECK (length(reviewer) > 0),
  verdict          TEXT NOT NULL CHECK (verdict IN ('accept','reject','skip')),
  reason_tags      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reason_tags)),
  first_wrong_step TEXT,
  comment          TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX reviews_trace ON reviews (trace_id, id);
CREATE TRIGGER reviews_append_only_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_append_only_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
)sql";

// Version 2: teacher runs. Each trace names its model and the seed of its own random stream
// (so it can be regenerated alone), per-step token counts and mean log-probabilities, and why
// generation stopped. At most one completed trace per (item, prompt version, model, sample):
// resumed and merged runs rely on it. Runs record their hidden-state layers, shard and counts.
constexpr const char *kSchemaV2 = R"sql(
ALTER TABLE traces ADD COLUMN model_id INTEGER REFERENCES models(id);
ALTER TABLE traces ADD COLUMN seed INTEGER;
ALTER TABLE traces ADD COLUMN step1_prompt_tokens INTEGER;
ALTER TABLE traces ADD COLUMN step2_prompt_tokens INTEGER;
ALTER TABLE traces ADD COLUMN step1_logprob REAL;
ALTER TABLE traces ADD COLUMN finish_reason TEXT;
ALTER TABLE traces ADD COLUMN hidden_bytes INTEGER;
CREATE UNIQUE INDEX traces_done ON traces (item_id, prompt_id, model_id, sample_index) WHERE status = 'ok';
CREATE INDEX traces_model ON traces (model_id, prompt_id);

ALTER TABLE generation_runs ADD COLUMN hidden_layers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(hidden_layers));
ALTER TABLE generation_runs ADD COLUMN shard TEXT;
ALTER TABLE generation_runs ADD COLUMN traces_ok INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_runs ADD COLUMN traces_failed INTEGER NOT NULL DEFAULT 0;
)sql";


// Version 3: review workbench. A review row may now be `clear` (the reviewer's verdict on the
// trace withdrawn, as written by undo); rows written by one user action share `action_id`, and
// `origin` says whether a row is a verdict, an undo or a redo. The table stays append-only: the
// current verdict of a (trace, reviewer) is its newest row. `settings` holds workspace-wide
// choices (approval policy, reject reason tags) as JSON.
constexpr const char *kSchemaV3 = R"sql(
CREATE TABLE reviews_v3 (
  id               INTEGER PRIMARY KEY,
  trace_id         INTEGER NOT NULL REFERENCES traces(id),
  reviewer         TEXT NOT NULL CHECK (length(reviewer) > 0),
  verdict          TEXT NOT NULL CHECK (verdict IN ('accept','reject','skip','clear')),
  reason_tags      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reason_tags)),
  first_wrong_step TEXT,
  comment          TEXT,
  action_id        INTEGER,
  origin           TEXT NOT NULL DEFAULT 'verdict' CHECK (origin IN ('verdict','undo','redo')),
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
INSERT INTO reviews_v3 (id, trace_id, reviewer, verdict, reason_tags, first_wrong_step, comment, created_at)
  SELECT id, trace_id, reviewer, verdict, reason_tags, first_wrong_step, comment, created_at FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_v3 RENAME TO reviews;
CREATE INDEX reviews_trace ON reviews (trace_id, reviewer, id);
CREATE INDEX reviews_reviewer ON reviews (reviewer);
CREATE INDEX reviews_action ON reviews (action_id);
CREATE TRIGGER reviews_append_only_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_append_only_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
);
)sql";

// Version 4: run life cycle and model provenance. A run may now be `interrupted` (its row said
// `running` but the process holding its lock is gone; see ProcessLock.h); `owner` names the
// process that runs it, `resumes_run_id` the interrupted run a rerun continues. The CHECK on
// status needs the table rebuilt; traces keep pointing at the same ids (run with foreign keys
// off and checked before COMMIT, see Migration::rebuildsReferencedTable). `models.files` holds the size and modification time of each file the
// runtime reads, as registered, so a load notices cheaply when the folder changed.
constexpr const char *kSchemaV4 = R"sql(
CREATE TABLE generation_runs_v4 (
  id             INTEGER PRIMARY KEY,
  model_id       INTEGER NOT NULL REFERENCES models(id),
  prompt_set     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(prompt_set)),
  sampling       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sampling)),
  seed           INTEGER NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('pending','running','done','failed','cancelled','interrupted')),
  error          TEXT,
  started_at     TEXT,
  finished_at    TEXT,
  hidden_layers  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(hidden_layers)),
  shard          TEXT,
  traces_ok      INTEGER NOT NULL DEFAULT 0,
  traces_failed  INTEGER NOT NULL DEFAULT 0,
  owner          TEXT,
  resumes_run_id INTEGER REFERENCES generation_runs(id)
);
INSERT INTO generation_runs_v4 (id, model_id, prompt_set, sampling, seed, status, error, started_at, finished_at, hidden_layers,
                                shard, traces_ok, traces_failed)
  SELECT id, model_id, prompt_set, sampling, seed, status, error, started_at, finished_at, hidden_layers, shard, traces_ok,
         traces_failed FROM generation_runs;
DROP TABLE generation_runs;
ALTER TABLE generation_runs_v4 RENAME TO generation_runs;
CREATE INDEX generation_runs_status ON generation_runs (status);
CREATE INDEX traces_run ON traces (run_id, status);

ALTER TABLE models ADD COLUMN files TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files));
)sql";

// Version 5: distillation runs and their lineage (which approved traces went in, with their
// prompt versions and reviewers); a student model points at its base and the run that made it.
constexpr const char *kSchemaV5 = R"sql(
CREATE TABLE distill_runs (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  base_model_id  INTEGER NOT NULL REFERENCES models(id),
  config         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  policy         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(policy)),
  status         TEXT NOT NULL CHECK (status IN ('running','done','failed','cancelled','interrupted')),
  error          TEXT,
  started_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at    TEXT,
  steps_done     INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
  final_losses   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(final_losses)),
  world_size     INTEGER NOT NULL DEFAULT 1 CHECK (world_size >= 1),
  owner          TEXT
);
CREATE TABLE run_traces (
  run_id    INTEGER NOT NULL REFERENCES distill_runs(id) ON DELETE CASCADE,
  trace_id  INTEGER NOT NULL REFERENCES traces(id),
  prompt_id INTEGER NOT NULL REFERENCES prompts(id),
  reviewers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reviewers)),
  PRIMARY KEY (run_id, trace_id)
);
ALTER TABLE models ADD COLUMN base_model_id INTEGER REFERENCES models(id);
ALTER TABLE models ADD COLUMN distill_run_id INTEGER REFERENCES distill_runs(id);
)sql";

// Version 6: evaluation runs (a model in a mode over a split or item filter) and their
// per-item predictions with what each answer cost; one prediction per item and evaluation, so a
// resumed evaluation never duplicates one.
constexpr const char *kSchemaV6 = R"sql(
CREATE TABLE evaluations (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  model_id      INTEGER NOT NULL REFERENCES models(id),
  mode          TEXT NOT NULL CHECK (mode IN ('direct','two-step','ensemble')),
  prompt_ids    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(prompt_ids)),
  vote          TEXT NOT NULL DEFAULT 'majority' CHECK (vote IN ('majority','logprob')),
  item_filter   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(item_filter)),
  metric        TEXT,
  sampling      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sampling)),
  seed          INTEGER NOT NULL DEFAULT 1,
  status        TEXT NOT NULL CHECK (status IN ('running','done','failed','cancelled','interrupted')),
  error         TEXT,
  started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at   TEXT,
  owner         TEXT
);
CREATE TABLE predictions (
  id                INTEGER PRIMARY KEY,
  evaluation_id     INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
  item_id           INTEGER NOT NULL REFERENCES items(id),
  status            TEXT NOT NULL CHECK (status IN ('ok','failed')),
  answer            TEXT,
  parsed_answer     TEXT,
  trace             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(trace)),
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  generated_tokens  INTEGER NOT NULL DEFAULT 0,
  generations       INTEGER NOT NULL DEFAULT 0,
  latency_ms        REAL NOT NULL DEFAULT 0,
  error             TEXT,
  UNIQUE (evaluation_id, item_id)
);
)sql";

// Version 7: items marked for review from elsewhere (an evaluation's failures or regressions),
// so the review queue can show just them ("from evaluation …").
constexpr const char *kSchemaV7 = R"sql(
CREATE TABLE review_marks (
  item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  source        TEXT NOT NULL CHECK (length(source) > 0),
  evaluation_id INTEGER REFERENCES evaluations(id) ON DELETE SET NULL,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (item_id, source)
);
)sql";

// Version 8: a student is identified by its run as well as its bytes, and a model name names
// one model. `models` is rebuilt without UNIQUE(content_hash): a base model's hash stays unique
// (a partial index), a student is unique by its distillation run, and names become unique (an
// older workspace's repeated name gets " (<id>)" appended on the later rows). Runs record the
// process that runs them (`owner_process`: host, boot id, pid and start time), so a live run is
// told from a dead one even when its lock file was deleted by hand; a distillation run records
// the step of its last checkpoint.
constexpr const char *kSchemaV8 = R"sql(
CREATE TABLE models_v8 (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  path           TEXT NOT NULL,
  content_hash   TEXT NOT NULL CHECK (length(content_hash) = 64),
  config         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  role           TEXT NOT NULL CHECK (role IN ('base','student')),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  files          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files)),
  base_model_id  INTEGER REFERENCES models(id),
  distill_run_id INTEGER REFERENCES distill_runs(id)
);
INSERT INTO models_v8 (id, name, path, content_hash, config, role, created_at, files, base_model_id, distill_run_id)
  SELECT id,
         CASE WHEN EXISTS (SELECT 1 FROM models m2 WHERE m2.name = models.name AND m2.id < models.id)
              THEN name || ' (' || id || ')' ELSE name END,
         path, content_hash, config, role, created_at, files, base_model_id, distill_run_id FROM models;
DROP TABLE models;
ALTER TABLE models_v8 RENAME TO models;
CREATE UNIQUE INDEX models_base_content ON models (content_hash) WHERE role = 'base';
CREATE UNIQUE INDEX models_student_run ON models (distill_run_id) WHERE distill_run_id IS NOT NULL;

ALTER TABLE distill_runs ADD COLUMN checkpoint_step INTEGER NOT NULL DEFAULT 0 CHECK (checkpoint_step >= 0);
ALTER TABLE distill_runs ADD COLUMN owner_process TEXT;
ALTER TABLE evaluations ADD COLUMN owner_process TEXT;
ALTER TABLE generation_runs ADD COLUMN owner_process TEXT;
)sql";

} // namespace

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> list = {
        {1, kSchemaV1},
        {2, kSchemaV2},
        {3, kSchemaV3},
        {4, kSchemaV4, true},
        {5, kSchemaV5},
        {6, kSchemaV6},
        {7, kSchemaV7},
        {8, kSchemaV8, true},
    };
    return list;
}

int currentSchemaVersion()
{
    return migrations().back().version;
}

Result<void> migrate(Database &db, const std::vector<Migration> &list)
{
    auto log = sdrt::log::get("store");
    const int latest = list.empty() ? 0 : list.back().version;

    auto version = db.pragmaInt("user_version");
    if (!version)
        return fail(version.error());
    if (*version > latest)
        return fail(QCoreApplication::translate(
                        "sdrt::store",
                        "%1 was written by a newer version of SDRT Workbench (schema %2; this version "
                        "understands up to %3). It was not changed; please update SDRT Workbench.")
                        .arg(db.fileName())
                        .arg(*version)
                        .arg(latest));

    for (const Migration &m : list) {
        if (m.version <= *version)
            continue;
        // Foreign keys can only be switched outside a transaction; they are switched back on
        // whatever happens below.
        const bool keysOff = m.rebuildsReferencedTable;
        if (keysOff) {
            if (auto r = db.exec("PRAGMA foreign_keys = OFF"); !r)
                return r;
        }
        struct KeysBackOn {
            Database &db;
            bool on;
            ~KeysBackOn()
            {
                if (on)
                    (void)db.exec("PRAGMA foreign_keys = ON");
            }
        } keysBackOn{db, keysOff};
        Transaction tx(db);
        if (auto r = tx.begin(); !r)
            return r;
        // Re-read inside the write lock: another process may have migrated meanwhile.
        auto now = db.pragmaInt("user_version");
        if (!now)
            return fail(now.error());
        if (*now >= m.version) {
            *version = *now;
            continue;
        }
        if (auto r = db.exec(m.sql); !r)
            return fail(QCoreApplication::translate("sdrt::store", "Migration to schema %1 failed: %2")
                            .arg(m.version)
                            .arg(r.error()));
        if (keysOff) {
            auto check = db.prepare("PRAGMA foreign_key_check");
            if (!check)
                return fail(check.error());
            auto row = check->step();
            if (!row)
                return fail(row.error());
            if (*row)
                return fail(QCoreApplication::translate("sdrt::store", "Migration to schema %1 failed: a row of %2 refers to a missing row of %3.")
                                .arg(m.version)
                                .arg(check->text(0), check->text(2)));
        }
        const QByteArray bump = "PRAGMA user_version = " + QByteArray::number(m.version);
        if (auto r = db.exec(bump.constData()); !r)
            return r;
        if (auto r = tx.commit(); !r)
            return r;
        log->info("migrated {} to schema {}", db.fileName().toStdString(), m.version);
        *version = m.version;
    }
    return {};
}

} // namespace sdrt::store
