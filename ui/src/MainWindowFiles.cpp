// The main window's file actions: opening and creating workspaces, importing with a progress
// dialog, and exporting the reviews.

#include "sdrt/ui/MainWindow.h"

#include "sdrt/common/Log.h"
#include "sdrt/review/Export.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/ui/ImportRunner.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStatusBar>

#include <memory>

namespace sdrt::ui {

QString MainWindow::exportReviews(bool llava, const QString &path)
{
    const review::ReviewSession *reviews = m_session->reviews()->session();
    if (!m_session->isOpen() || !reviews) {
        showError(tr("Export"), tr("Open a workspace first."));
        return {};
    }
    const auto format = llava ? review::ExportFormat::Llava : review::ExportFormat::Flat;
    QString target = path;
    bool overwrite = false;
    if (target.isEmpty()) {
        // The dialog asks before it returns an existing file: that is the user's consent.
        target = QFileDialog::getSaveFileName(this, llava ? tr("Export Approved Traces") : tr("Export Review History"),
                                              review::defaultExportPath(*m_session->workspace(), format),
                                              tr("JSON Lines (*.jsonl);;All files (*)"));
        if (target.isEmpty())
            return {};
        overwrite = true;
    } else if (QFileInfo::exists(target) && store::checkExportTarget(target, true).isEmpty()) {
        // An existing file that may be replaced (a workspace's own files never may: refused below).
        if (QMessageBox::question(this, tr("Replace file?"), tr("%1 already exists. Replace it?").arg(QDir::toNativeSeparators(target)))
            != QMessageBox::Yes)
            return {};
        overwrite = true;
    }
    auto r = review::exportReviews(*m_session->workspace(), *reviews, format, target, overwrite);
    if (!r) {
        showError(tr("Export failed"), r.error());
        return {};
    }
    statusBar()->showMessage(tr("Wrote %n line(s) to %1", nullptr, r->lines).arg(r->path), 10000);
    return r->path;
}

bool MainWindow::openWorkspace(const QString &dir)
{
    auto r = m_session->open(dir);
    if (!r) {
        showError(tr("Cannot open the workspace"), r.error());
        return false;
    }
    return true;
}

bool MainWindow::createWorkspace(const QString &dir)
{
    auto r = m_session->create(dir);
    if (!r) {
        showError(tr("Cannot create the workspace"), r.error());
        return false;
    }
    return true;
}

bool MainWindow::importPath(const QString &path)
{
    if (!m_session->isOpen()) {
        showError(tr("Import"), tr("Open or create a workspace first."));
        return false;
    }
    if (!m_import->start(m_session->root(), path)) {
        showError(tr("Import"), tr("An import is already running."));
        return false;
    }
    sdrt::log::get("ui")->info("importing {}", path.toStdString());
    m_progress = new QProgressDialog(tr("Importing %1…").arg(path), tr("Cancel"), 0, 0, this);
    m_progress->setWindowTitle(tr("Import"));
    m_progress->setAttribute(Qt::WA_DeleteOnClose);
    m_progress->setMinimumDuration(300);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    connect(m_progress, &QProgressDialog::canceled, m_import, &ImportRunner::cancel);
    connect(m_import, &ImportRunner::progress, m_progress,
            [progress = m_progress, timer](int done, int total, const QString &current) {
                progress->setMaximum(total);
                progress->setValue(done);
                const double elapsed = timer->elapsed() / 1000.0;
                const double eta = done > 0 ? elapsed / done * (total - done) : 0;
                progress->setLabelText(tr("Importing %1 of %2 (ETA %3 s)\n%4").arg(done).arg(total).arg(int(eta)).arg(current));
            });
    return true;
}

void MainWindow::onImportFinished(bool ok)
{
    if (m_progress) {
        m_progress->close();
        m_progress = nullptr;
    }
    if (!ok) {
        m_session->notifyItemsChanged(); // batches committed before the failure stay
        showError(tr("Import failed"), m_import->lastError());
        Q_EMIT importFinished(false);
        return;
    }
    const assets::ImportReport &r = m_import->lastReport();
    m_session->notifyItemsChanged();
    statusBar()->showMessage(r.summary(), 10000);
    if (!r.failures.empty()) {
        QStringList lines;
        for (const assets::ImportFailure &f : r.failures)
            lines << f.toString();
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Import finished with problems"), r.summary(), QMessageBox::Ok, this);
        box->setInformativeText(tr("%n file(s) or line(s) could not be imported; the rest was imported.", nullptr, int(r.failures.size())));
        box->setDetailedText(lines.join(QLatin1Char('\n')));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT importFinished(true);
}

void MainWindow::chooseOpen()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Workspace"));
    if (!dir.isEmpty())
        openWorkspace(dir);
}

void MainWindow::chooseNew()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("New Workspace (choose an empty folder)"));
    if (!dir.isEmpty())
        createWorkspace(dir);
}

void MainWindow::chooseImport(bool folder)
{
    const QString path = folder ? QFileDialog::getExistingDirectory(this, tr("Import Folder"))
                                : QFileDialog::getOpenFileName(this, tr("Import Manifest"), QString(),
                                                               tr("JSON Lines manifests (*.jsonl);;All files (*)"));
    if (!path.isEmpty())
        importPath(path);
}

} // namespace sdrt::ui
