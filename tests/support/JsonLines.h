#pragma once
// The objects of a JSON-lines file (a training log, an export), one per non-empty line; a line
// that is not JSON reads as {}. Empty when the file cannot be read.

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace sdrt::testing {

inline std::vector<QJsonObject> readJsonLines(const QString &path)
{
    std::vector<QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.isEmpty())
            out.push_back(QJsonDocument::fromJson(line).object());
    return out;
}

} // namespace sdrt::testing
