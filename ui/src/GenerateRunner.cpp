#include "sdrt/ui/GenerateRunner.h"

#include <QPointer>
#include <QThread>

namespace sdrt::ui {

GenerateRunner::GenerateRunner(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<sdrt::teacher::GenerationProgress>("sdrt::teacher::GenerationProgress");
}

GenerateRunner::~GenerateRunner()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool GenerateRunner::start(teacher::GenerationParams params)
{
    if (m_thread)
        return false;
    m_cancel = false;
    m_summary = {};
    m_error.clear();
    params.cancel = &m_cancel;
    QPointer<GenerateRunner> self(this);
    params.progress = [self](const teacher::GenerationProgress &p) {
        QMetaObject::invokeMethod(self.data(), [self, p] {
            if (self)
                Q_EMIT self->progress(p);
        }, Qt::QueuedConnection);
    };
    params.stored = [self](const std::vector<store::Id> &ids) {
        QList<qint64> list(ids.begin(), ids.end());
        QMetaObject::invokeMethod(self.data(), [self, list] {
            if (self)
                Q_EMIT self->tracesStored(list);
        }, Qt::QueuedConnection);
    };
    m_thread = QThread::create([this, params] {
        auto result = teacher::runGeneration(params);
        QMetaObject::invokeMethod(this, [this, result = std::move(result)]() mutable {
            m_thread->wait();
            delete m_thread;
            m_thread = nullptr;
            if (result) {
                m_summary = std::move(*result);
                Q_EMIT finished(true);
            } else {
                m_error = result.error();
                Q_EMIT finished(false);
            }
        }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("generate"));
    m_thread->start();
    return true;
}

void GenerateRunner::cancel()
{
    m_cancel = true;
}

} // namespace sdrt::ui
