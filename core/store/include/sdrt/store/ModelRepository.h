#pragma once
// Models registered in a workspace: a Hugging Face style folder (config.json, weights, tokenizer)
// known by its content hash, so every trace and run names exactly the weights that made it.

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

#include <atomic>
#include <optional>

namespace sdrt::store {

class Database;
class Workspace;

// What a registered model is: a base model (a folder of weights) or a student (a base model with
// a distillation run's adapter). "base" / "student" in the store and on the command line.
enum class ModelRole { Base, Student };
QString toString(ModelRole role);
std::optional<ModelRole> modelRoleFromString(const QString &text);

struct ModelRecord {
    Id id = 0;
    QString name;
    QString path;        // workspace-relative when inside the workspace, else absolute
    QString contentHash; // see modelContentHash()
    QString config;      // the folder's config.json (JSON text)
    ModelRole role = ModelRole::Base;
    QString files;       // JSON [{name, size, mtime_ms, mtime_ns, ctime_ns, inode, device}] of the files hashed, as last verified
    // A student (a distillation run's folder: config.json and adapter.safetensors): its base
    // model and the run that made it.
    std::optional<Id> baseModelId;
    std::optional<Id> distillRunId;
};

// The size, modification and change times, inode and device of each file modelContentHash()
// reads (JSON, see files).
QString modelFileStamps(const QString &dir);

// sha256 over the files the runtime reads (config.json, preprocessor_config.json,
// tokenizer.model, tokenizer.json, tokenizer_config.json, added_tokens.json, chat_template.jinja,
// chat_template.json, *.safetensors, model.safetensors.index.json), in name order, each as name,
// size and bytes. Other files (logs, checkpoints/) do not count. (A folder registered before
// tokenizer.json and the chat template files counted, and that has them, now hashes otherwise and
// is refused at load until registered again: the runtime reads those files now.)
Result<QString> modelContentHash(const QString &dir, const std::atomic_bool *cancel = nullptr);

class ModelRepository {
public:
    explicit ModelRepository(Database &db) : m_db(db) {}

    // Registers the model folder `dir` (hashing it). A base model is its content: the same content
    // registered again returns the existing row when `name` is its name, and an error naming it
    // otherwise (a model has one name). A name names one model: a name in use is refused. With
    // `copyInto` set, the folder's model files are first copied to <copyInto>/<name>-<hash
    // prefix>/ and that copy is registered. A student registered here has no run.
    Result<ModelRecord> registerFolder(const Workspace &ws, const QString &dir, const QString &name,
                                       ModelRole role = ModelRole::Base, bool copyIntoWorkspace = false);
    // Registers the student a distillation run made (its folder holds config.json and
    // adapter.safetensors): one student per run, even when two runs made identical bytes.
    Result<ModelRecord> registerStudent(const Workspace &ws, const QString &runDir, const QString &name, Id baseModelId, Id distillRunId);
    // Checks that the folder still holds the registered model: cheaply when every file has the
    // size, modification and change time, inode and device last verified (a write changes the
    // change time, which cannot be set back by hand), and otherwise by the full content hash.
    // Same content: the new stamps are stored. Other content: an error that says which files changed and how to register the
    // folder as a new model. Call it before every load that makes traces.
    Result<void> verifyFolder(const ModelRecord &record, const QString &absoluteDir, const std::atomic_bool *cancel = nullptr);
    // Stores a record made elsewhere (another workspace's row): a base model found by content hash,
    // a student by content hash and name, or inserted (under a free name).
    Result<Id> ensure(const ModelRecord &record);
    Result<std::vector<ModelRecord>> list();
    Result<std::optional<ModelRecord>> find(Id id);
    Result<std::optional<ModelRecord>> findByName(const QString &name);

private:
    Result<ModelRecord> registerFolder(const Workspace &ws, const QString &dir, const QString &name, ModelRole role,
                                       bool copyIntoWorkspace, const ModelRecord &student);
    Database &m_db;
};

} // namespace sdrt::store
