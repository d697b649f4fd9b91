#include "sdrt/teacher/Models.h"

#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace sdrt::teacher {

Result<store::ModelRecord> registerModel(store::Workspace &ws, const QString &dir, const QString &name, store::ModelRole role,
                                         bool copyIntoWorkspace)
{
    auto inspected = model::VlmRuntime::inspect(QDir(dir).absolutePath().toStdString());
    if (!inspected)
        return fail(QCoreApplication::translate("sdrt::teacher", "Not registered: %1").arg(QString::fromStdString(inspected.error())));
    return store::ModelRepository(ws.db()).registerFolder(ws, dir, name, role, copyIntoWorkspace);
}

Result<std::unique_ptr<model::VlmRuntime>> loadRegisteredModel(store::Workspace &ws, const store::ModelRecord &record,
                                                               const model::RuntimeOptions &options)
{
    if (record.role == store::ModelRole::Student)
        return fail(QCoreApplication::translate("sdrt::teacher", "Model \"%1\" is a student (a base model with an adapter); load it with "
                                                                 "distill::loadRegisteredModel.")
                        .arg(record.name));
    const QString dir = ws.absolutePath(record.path);
    if (auto v = store::ModelRepository(ws.db()).verifyFolder(record, dir); !v)
        return fail(v.error());
    auto runtime = model::VlmRuntime::load(dir.toStdString(), options);
    if (!runtime)
        return fail(QCoreApplication::translate("sdrt::teacher", "Cannot load model \"%1\" from %2: %3")
                        .arg(record.name, dir, QString::fromStdString(runtime.error())));
    return std::move(*runtime);
}

} // namespace sdrt::teacher
