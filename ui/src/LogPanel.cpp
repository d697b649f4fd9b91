#include "sdrt/ui/LogPanel.h"

#include "sdrt/common/Log.h"

#include <QMetaObject>
#include <QPointer>

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <mutex>

namespace sdrt::ui {
namespace {

class PanelSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit PanelSink(LogPanel *panel) : m_panel(panel)
    {
        set_formatter(std::make_unique<spdlog::pattern_formatter>("%H:%M:%S [%n] %l: %v", spdlog::pattern_time_type::local, ""));
    }
    void detach()
    {
        std::lock_guard lock(mutex_);
        m_panel = nullptr;
    }

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override
    {
        if (!m_panel)
            return;
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        const QString line = QString::fromUtf8(buf.data(), qsizetype(buf.size()));
        const int level = int(msg.level);
        QMetaObject::invokeMethod(m_panel, [panel = m_panel, line, level] {
            if (panel)
                panel->appendLine(line, level);
        }, Qt::QueuedConnection);
    }
    void flush_() override {}

private:
    QPointer<LogPanel> m_panel;
};

} // namespace

LogPanel::LogPanel(QWidget *parent) : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("logPanel"));
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    setFont(mono);
    auto sink = std::make_shared<PanelSink>(this);
    sink->set_level(spdlog::level::info);
    m_sink = sink;
    sdrt::log::addSink(m_sink);
}

LogPanel::~LogPanel()
{
    sdrt::log::removeSink(m_sink);
    static_cast<PanelSink *>(m_sink.get())->detach();
}

void LogPanel::appendLine(const QString &line, int level)
{
    if (level >= int(spdlog::level::err))
        appendHtml(QStringLiteral("<span style='color:#c62828'>%1</span>").arg(line.toHtmlEscaped()));
    else if (level == int(spdlog::level::warn))
        appendHtml(QStringLiteral("<span style='color:#b26a00'>%1</span>").arg(line.toHtmlEscaped()));
    else
        appendPlainText(line);
}

} // namespace sdrt::ui
