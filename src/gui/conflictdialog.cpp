#include "gui/conflictdialog.h"

#include <QCheckBox>
#include <QColor>
#include <QFont>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPalette>
#include <QPushButton>
#include <QVBoxLayout>

namespace oncutf::gui {

namespace {

QLabel *makeNameLabel(const QString &name)
{
    auto *label = new QLabel;
    label->setObjectName(name);
    label->setTextFormat(Qt::PlainText); // file names are shown as they are, never as markup
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

} // namespace

ConflictDialog::ConflictDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("ConflictDialog"));
    setWindowTitle(tr("Name conflict"));
    setModal(true);

    auto *layout = new QVBoxLayout(this);
    m_progress = new QLabel;
    m_progress->setObjectName(QStringLiteral("progressLabel"));
    QFont bold = m_progress->font();
    bold.setBold(true);
    m_progress->setFont(bold);
    layout->addWidget(m_progress);

    auto *form = new QFormLayout;
    m_oldName = makeNameLabel(QStringLiteral("oldNameLabel"));
    m_newName = makeNameLabel(QStringLiteral("newNameLabel"));
    m_reason = makeNameLabel(QStringLiteral("reasonLabel"));
    form->addRow(tr("File:"), m_oldName);
    form->addRow(tr("Wanted name:"), m_newName);
    form->addRow(tr("Problem:"), m_reason);
    layout->addLayout(form);

    m_applyToAll = new QCheckBox(tr("&Apply to all remaining conflicts"));
    m_applyToAll->setObjectName(QStringLiteral("applyToAll"));
    m_applyToAll->setToolTip(tr("Use the same answer for every further conflict of this rename"));
    layout->addWidget(m_applyToAll);

    const auto button = [this](const QString &name, const QString &text, const QString &toolTip, Choice choice) {
        auto *b = new QPushButton(text);
        b->setObjectName(name);
        b->setToolTip(toolTip);
        b->setAutoDefault(false);
        connect(b, &QPushButton::clicked, this, [this, choice] { choose(choice); });
        return b;
    };
    m_skip = button(QStringLiteral("skipButton"), tr("&Skip"), tr("Leave this file under its old name"), Choice::Skip);
    auto *overwrite = button(QStringLiteral("overwriteButton"), tr("&Overwrite"),
                             tr("Give this file the name. The existing file is kept in the holding folder "
                                "(.oncutf-holding) and comes back on undo; nothing is deleted."),
                             Choice::Overwrite);
    QPalette danger = overwrite->palette();
    danger.setColor(QPalette::ButtonText, QColor(0xc0, 0x1c, 0x28));
    overwrite->setPalette(danger);
    auto *suffix = button(QStringLiteral("suffixButton"), tr("Add s&uffix"),
                          tr("Add the recipe's suffix (_1, _2, ...) until the name is free"), Choice::Suffix);
    auto *skipAll = button(QStringLiteral("skipAllButton"), tr("Skip a&ll"),
                           tr("Leave this and every further problem file under its old name"), Choice::SkipAll);
    auto *cancel = button(QStringLiteral("cancelButton"), tr("Cancel"),
                          tr("Rename nothing (Esc)"), Choice::Cancel);
    // The safe answer is the one Enter gives.
    m_skip->setDefault(true);
    m_skip->setFont(bold);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_skip);
    buttons->addWidget(overwrite);
    buttons->addWidget(suffix);
    buttons->addWidget(skipAll);
    buttons->addStretch(1);
    buttons->addWidget(cancel);
    layout->addLayout(buttons);
    m_skip->setFocus();
}

ConflictDialog::~ConflictDialog() = default;

void ConflictDialog::setConflict(const QString &oldName, const QString &newName, const QString &reason, int index,
                                 int total)
{
    m_progress->setText(tr("Conflict %1 of %2").arg(index).arg(total));
    m_oldName->setText(oldName);
    m_newName->setText(newName);
    m_reason->setText(reason);
    m_applyToAll->setChecked(false);
    m_choice = Choice::Cancel;
    m_skip->setFocus();
}

bool ConflictDialog::applyToAll() const
{
    return m_applyToAll->isChecked();
}

void ConflictDialog::reject()
{
    m_choice = Choice::Cancel;
    QDialog::reject();
}

void ConflictDialog::choose(Choice choice)
{
    if (choice == Choice::Cancel)
        return reject();
    m_choice = choice;
    accept();
}

} // namespace oncutf::gui
