#include "sdrt/distill/Models.h"

#include "sdrt/model/Student.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/Models.h"

#include <QCoreApplication>
#include <QDir>

namespace sdrt::distill {

Result<std::unique_ptr<model::VlmRuntime>> loadRegisteredModel(store::Workspace &ws, const store::ModelRecord &record,
                                                               const model::RuntimeOptions &options)
{
    if (record.role != store::ModelRole::Student)
        return teacher::loadRegisteredModel(ws, record, options);
    store::ModelRepository models(ws.db());
    if (!record.baseModelId)
        return fail(QCoreApplication::translate("sdrt::distill", "Student \"%1\" does not name its base model.").arg(record.name));
    auto base = models.find(*record.baseModelId);
    if (!base)
        return fail(base.error());
    if (!*base)
        return fail(QCoreApplication::translate("sdrt::distill", "The base model (id %1) of student \"%2\" is not in the workspace.")
                        .arg(*record.baseModelId)
                        .arg(record.name));
    const QString dir = ws.absolutePath(record.path);
    if (auto v = models.verifyFolder(record, dir); !v)
        return fail(v.error());
    auto rt = teacher::loadRegisteredModel(ws, **base, options);
    if (!rt)
        return rt;
    auto student = model::Student::load(QDir(dir).filePath(QStringLiteral("adapter.safetensors")).toStdString(), **rt,
                                 (*base)->contentHash.toStdString());
    if (!student)
        return fail(QCoreApplication::translate("sdrt::distill", "Cannot load student \"%1\": %2").arg(record.name, QString::fromStdString(student.error())));
    (*student)->attach(**rt);
    return rt;
}

} // namespace sdrt::distill
