#include "sdrt/ui/ImportRunner.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QThread>

namespace sdrt::ui {

ImportRunner::ImportRunner(QObject *parent) : QObject(parent) {}

ImportRunner::~ImportRunner()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool ImportRunner::start(const QString &workspaceRoot, const QString &source, const assets::DecodeLimits &limits)
{
    if (m_thread)
        return false;
    m_cancel = false;
    m_report = {};
    m_error.clear();
    assets::ImportParams params;
    params.workspaceRoot = workspaceRoot;
    params.source = source;
    params.limits = limits;
    params.cancel = &m_cancel;
    QPointer<ImportRunner> self(this);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    params.progress = [self, timer](const assets::ImportProgress &p) {
        // At most ~20 updates a second reach the GUI thread.
        if (p.done != p.total && timer->elapsed() < 50)
            return;
        timer->restart();
        QMetaObject::invokeMethod(self.data(), [self, p] {
            if (self)
                Q_EMIT self->progress(p.done, p.total, p.current);
        }, Qt::QueuedConnection);
    };
    m_thread = QThread::create([this, params] {
        auto result = assets::ImportJob(params).run();
        QMetaObject::invokeMethod(this, [this, result = std::move(result)]() mutable {
            m_thread->wait();
            delete m_thread;
            m_thread = nullptr;
            if (result) {
                m_report = std::move(*result);
                Q_EMIT finished(true);
            } else {
                m_error = result.error();
                Q_EMIT finished(false);
            }
        }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("import"));
    m_thread->start();
    return true;
}

void ImportRunner::cancel()
{
    m_cancel = true;
}

} // namespace sdrt::ui
