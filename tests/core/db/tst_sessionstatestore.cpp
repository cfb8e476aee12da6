#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/sessionstatestore.h"

#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

class TstSessionStateStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void typedValuesRoundTrip();
    void readingAsAnotherTypeIsAnError();
    void overwritingChangesValueAndType();
    void invalidInputIsRejected();
    void missingKeyIsEmpty();
    void keysAndRemove();
    void valuesSurviveReopen();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstSessionStateStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstSessionStateStore::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstSessionStateStore::typedValuesRoundTrip()
{
    SessionStateStore store(*m_db);
    QVERIFY(store.setString(QStringLiteral("lastFolder"), QStringLiteral("/home/ελένη/Φωτογραφίες")));
    QVERIFY(store.setBool(QStringLiteral("recursive"), true));
    QVERIFY(store.setInt(QStringLiteral("big"), std::numeric_limits<qint64>::min()));
    QVERIFY(store.setDouble(QStringLiteral("ratio"), 0.1 + 0.2));
    QVERIFY(store.setJson(QStringLiteral("presets"), R"({"active":["by-date"],"n":2})"));

    QCOMPARE(store.string(QStringLiteral("lastFolder"))->value_or(QString()), QStringLiteral("/home/ελένη/Φωτογραφίες"));
    QCOMPARE(store.boolean(QStringLiteral("recursive"))->value_or(false), true);
    QCOMPARE(store.integer(QStringLiteral("big"))->value_or(0), std::numeric_limits<qint64>::min());
    QCOMPARE(store.real(QStringLiteral("ratio"))->value_or(0.0), 0.1 + 0.2); // exact, not approximately
    QCOMPARE(store.json(QStringLiteral("presets"))->value_or(QByteArray()), QByteArray(R"({"active":["by-date"],"n":2})"));
    QCOMPARE(store.typeOf(QStringLiteral("ratio"))->value_or(SessionStateStore::Type::String),
             SessionStateStore::Type::Float);
}

void TstSessionStateStore::readingAsAnotherTypeIsAnError()
{
    SessionStateStore store(*m_db);
    QVERIFY(store.setBool(QStringLiteral("flag"), false));
    auto asString = store.string(QStringLiteral("flag"));
    QVERIFY(!asString.ok());
    QCOMPARE(asString.error().code, ErrorCode::InvalidArgument);
    QVERIFY(asString.error().message.contains(QStringLiteral("bool")));
    QVERIFY(!store.integer(QStringLiteral("flag")).ok());
    QCOMPARE(store.boolean(QStringLiteral("flag"))->value_or(true), false);
}

void TstSessionStateStore::overwritingChangesValueAndType()
{
    SessionStateStore store(*m_db);
    QVERIFY(store.setInt(QStringLiteral("k"), 1));
    QVERIFY(store.setString(QStringLiteral("k"), QStringLiteral("one")));
    QCOMPARE(store.string(QStringLiteral("k"))->value_or(QString()), QStringLiteral("one"));
    QVERIFY(!store.integer(QStringLiteral("k")).ok());
    QCOMPARE(store.keys()->size(), 1);
}

void TstSessionStateStore::invalidInputIsRejected()
{
    SessionStateStore store(*m_db);
    const Status badJson = store.setJson(QStringLiteral("j"), "{not json");
    QVERIFY(!badJson);
    QCOMPARE(badJson.error().code, ErrorCode::InvalidArgument);
    QVERIFY(!store.setDouble(QStringLiteral("d"), std::numeric_limits<double>::quiet_NaN()));
    QVERIFY(!store.setString(QString(), QStringLiteral("no key")));
    QCOMPARE(store.keys()->size(), 0);
}

void TstSessionStateStore::missingKeyIsEmpty()
{
    SessionStateStore store(*m_db);
    auto value = store.string(QStringLiteral("nothing"));
    QVERIFY(value.ok());
    QVERIFY(!value->has_value());
    QVERIFY(!store.typeOf(QStringLiteral("nothing"))->has_value());
}

void TstSessionStateStore::keysAndRemove()
{
    SessionStateStore store(*m_db);
    QVERIFY(store.setInt(QStringLiteral("b"), 2));
    QVERIFY(store.setInt(QStringLiteral("a"), 1));
    QCOMPARE(store.keys().value(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(store.remove(QStringLiteral("a")));
    QCOMPARE(store.keys().value(), QStringList{QStringLiteral("b")});
}

void TstSessionStateStore::valuesSurviveReopen()
{
    QVERIFY(SessionStateStore(*m_db).setString(QStringLiteral("lastFolder"), QStringLiteral("/x")));
    QVERIFY(m_db->close());
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QCOMPARE(SessionStateStore(*m_db).string(QStringLiteral("lastFolder"))->value_or(QString()), QStringLiteral("/x"));
}

QTEST_GUILESS_MAIN(TstSessionStateStore)
#include "tst_sessionstatestore.moc"
