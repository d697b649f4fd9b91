#pragma once
// Shows the messages of every named spdlog logger. Messages from any thread are queued to the
// GUI thread.

#include <QPlainTextEdit>

#include <memory>

namespace spdlog::sinks {
class sink;
}

namespace sdrt::ui {

class LogPanel final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit LogPanel(QWidget *parent = nullptr);
    ~LogPanel() override;

    void appendLine(const QString &line, int level);

private:
    std::shared_ptr<spdlog::sinks::sink> m_sink;
};

} // namespace sdrt::ui
