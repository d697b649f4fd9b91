#include "sdrt/ui/JobRunner.h"

#include <QThread>

namespace sdrt::ui {

JobRunner::~JobRunner()
{
    stop();
}

void JobRunner::stop()
{
    if (!m_thread)
        return;
    m_cancel = true;
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

bool JobRunner::launch(const QString &name, std::function<std::function<void()>()> work)
{
    if (m_thread)
        return false;
    m_error.clear();
    m_thread = QThread::create([this, work = std::move(work)] {
        std::function<void()> done = work();
        post([this, done = std::move(done)] {
            m_thread->wait();
            delete m_thread;
            m_thread = nullptr;
            done();
        });
    });
    m_thread->setObjectName(name);
    m_thread->start();
    return true;
}

void JobRunner::post(std::function<void()> f)
{
    // With this object as the context, Qt drops the call when the object is gone.
    QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection);
}

void JobRunner::reportFailure(const QString &error)
{
    m_error = error;
    Q_EMIT finished(false);
}

} // namespace sdrt::ui
