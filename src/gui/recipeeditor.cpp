#include "gui/recipeeditor.h"

#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QCompleter>
#include <QFont>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPalette>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>
#include <utility>

namespace oncutf::gui {

using core::rename::CaseMode;
using core::rename::ConflictPolicy;
using core::rename::CounterScope;
using core::rename::ModuleType;
using core::rename::Recipe;
using core::rename::RecipeModule;
using core::rename::RemovalPosition;
using core::rename::SeparatorMode;
using core::rename::SortKey;

namespace {

// The combo entry for the GUI-only "Ask" policy, next to the ConflictPolicy values.
constexpr int AskPolicy = -1;

// The limits Recipe::validate() and fromJson() enforce; spin boxes must not offer more.
constexpr int CounterStartMax = 999999999;
constexpr int CounterStepMax = 1000000;
constexpr int PaddingMin = 1;
constexpr int PaddingMax = 12;
constexpr int SubstringMax = 100000;

struct Choice {
    int value;
    const char *text;
    const char *toolTip;
};

const Choice ModuleTypeChoices[] = {
    {int(ModuleType::OriginalName), "Original name", "The file's original name, without its extension"},
    {int(ModuleType::Text), "Text", "Fixed text"},
    {int(ModuleType::Counter), "Counter", "A zero-padded number that counts the files"},
    {int(ModuleType::Metadata), "Metadata", "A metadata value or date (EXIF, XMP, file times)"},
    {int(ModuleType::TextRemoval), "Text removal", "The original name with some text removed"},
    {int(ModuleType::Replace), "Replace", "The original name with text (or a regular expression) replaced"},
    {int(ModuleType::Hash), "Hash (CRC32)", "The file's CRC32 checksum, 8 hex digits"},
    {int(ModuleType::Substring), "Substring", "A range of characters of the original name"},
};
const Choice ScopeChoices[] = {
    {int(CounterScope::Global), "Global", "One count over the whole sorted list"},
    {int(CounterScope::PerFolder), "Per folder", "The count restarts in each folder"},
    {int(CounterScope::PerExtension), "Per extension", "A separate count for each extension"},
    {int(CounterScope::PerGroup), "Per group", "A separate count for each value of a metadata field "
                                               "(a date field groups by day)"},
};
const Choice PositionChoices[] = {
    {int(RemovalPosition::Start), "At the start", "Only when the name starts with the text"},
    {int(RemovalPosition::End), "At the end", "Only when the name ends with the text"},
    {int(RemovalPosition::First), "First occurrence", "The first place the text appears"},
    {int(RemovalPosition::All), "Every occurrence", "Every place the text appears"},
};
const Choice CaseChoices[] = {
    {int(CaseMode::Original), "Original", "Keep the case as built"},
    {int(CaseMode::Lower), "lower case", "Every letter lower case"},
    {int(CaseMode::Upper), "UPPER CASE", "Every letter upper case (Greek capitals without accents)"},
    {int(CaseMode::Capitalize), "Capitalize", "First letter of the name upper case, the rest lower"},
    {int(CaseMode::Title), "Title Case", "First letter of each word upper case, the rest lower"},
};
const Choice SeparatorChoices[] = {
    {int(SeparatorMode::AsIs), "As is", "Keep spaces, '-' and '_' as built"},
    {int(SeparatorMode::Snake), "snake_case", "Runs of spaces, '-' and '_' become one '_'"},
    {int(SeparatorMode::Kebab), "kebab-case", "Runs of spaces, '-' and '_' become one '-'"},
    {int(SeparatorMode::Space), "Spaces", "'-' and '_' become spaces"},
};
const Choice SortChoices[] = {
    {int(SortKey::Name), "Name", "By file name"},
    {int(SortKey::Natural), "Natural", "By name, digit runs compared as numbers (file2 before file10)"},
    {int(SortKey::Mtime), "Modified time", "By the file's modification time"},
    {int(SortKey::Size), "Size", "By file size"},
    {int(SortKey::CaptureDate), "Capture date", "By the capture date in the metadata (the file time when absent)"},
};
const Choice PolicyChoices[] = {
    {int(ConflictPolicy::Fail), "Fail", "Any problem row refuses the whole batch; nothing is renamed"},
    {int(ConflictPolicy::Skip), "Skip", "Problem rows keep their names; the rest is renamed"},
    {int(ConflictPolicy::Suffix), "Suffix", "Duplicates and conflicts get the suffix below until the name is free"},
    {int(ConflictPolicy::Overwrite), "Overwrite",
     "The file holding a wanted name is moved to a holding folder (undo brings it back); nothing is deleted"},
    {AskPolicy, "Ask", "Ask for each problem row when renaming"},
};

template <size_t N>
QComboBox *makeChoiceCombo(const QString &name, const Choice (&choices)[N], const QString &toolTip)
{
    auto *combo = new QComboBox;
    combo->setObjectName(name);
    combo->setToolTip(toolTip);
    for (const Choice &choice : choices) {
        combo->addItem(QString::fromUtf8(choice.text), choice.value);
        combo->setItemData(combo->count() - 1, QString::fromUtf8(choice.toolTip), Qt::ToolTipRole);
    }
    return combo;
}

QString choiceText(const Choice *begin, const Choice *end, int value)
{
    for (const Choice *c = begin; c != end; ++c) {
        if (c->value == value)
            return QString::fromUtf8(c->text);
    }
    return {};
}

void selectData(QComboBox *combo, int value)
{
    combo->setCurrentIndex(qMax(0, combo->findData(value)));
}

QCheckBox *makeCheck(const QString &name, const QString &text, const QString &toolTip)
{
    auto *box = new QCheckBox(text);
    box->setObjectName(name);
    box->setToolTip(toolTip);
    return box;
}

QLineEdit *makeLine(const QString &name, const QString &placeholder, const QString &toolTip)
{
    auto *line = new QLineEdit;
    line->setObjectName(name);
    line->setPlaceholderText(placeholder);
    line->setToolTip(toolTip);
    line->setClearButtonEnabled(true);
    return line;
}

QSpinBox *makeSpin(const QString &name, int min, int max, const QString &toolTip)
{
    auto *spin = new QSpinBox;
    spin->setObjectName(name);
    spin->setRange(min, max);
    spin->setToolTip(toolTip);
    spin->setAccelerated(true);
    return spin;
}

// An editable combo whose completer matches anywhere in the key ("Model" finds "EXIF:Model") and
// pops up instead of completing inline, so typing a prefix of a longer key keeps what was typed.
QComboBox *makeKeyCombo(const QString &name, const QStringList &items, const QString &placeholder, const QString &toolTip)
{
    auto *combo = new QComboBox;
    combo->setObjectName(name);
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->setToolTip(toolTip);
    combo->addItems(items);
    combo->lineEdit()->setPlaceholderText(placeholder);
    auto *completer = new QCompleter(combo->model(), combo);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    completer->setCompletionMode(QCompleter::PopupCompletion);
    combo->setCompleter(completer);
    combo->setEditText(QString());
    return combo;
}

void setKeyItems(QComboBox *combo, const QStringList &items)
{
    const QString text = combo->currentText();
    combo->clear();
    combo->addItems(items);
    combo->setEditText(text);
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

} // namespace

/// One module's form: the widgets of every key of its type plus "enabled". Reads back into a
/// RecipeModule on demand, starting from the module it was built from, so values of keys the
/// type does not use survive a round trip unchanged.
/// Owner: RecipeEditor (its stacked widget). Threading: GUI thread only.
class ModuleForm final : public QWidget {
    Q_DISABLE_COPY_MOVE(ModuleForm)

public:
    ModuleForm(const RecipeModule &module, const QStringList &fieldItems, const QStringList &groupItems,
               std::function<void()> changed)
        : m_base(module), m_changed(std::move(changed))
    {
        setObjectName(QStringLiteral("moduleForm"));
        auto *outer = new QVBoxLayout(this);
        auto *title = new QLabel(choiceText(std::begin(ModuleTypeChoices), std::end(ModuleTypeChoices), int(module.type)));
        QFont bold = title->font();
        bold.setBold(true);
        title->setFont(bold);
        auto *head = new QHBoxLayout;
        head->addWidget(title, 1);
        m_enabled = makeCheck(QStringLiteral("enabled"), tr("&Enabled"),
                              tr("Unticked, the module stays in the recipe but adds nothing to the name"));
        m_enabled->setChecked(module.enabled);
        watch(m_enabled);
        head->addWidget(m_enabled);
        outer->addLayout(head);

        auto *form = new QFormLayout;
        outer->addLayout(form);
        outer->addStretch(1);

        switch (module.type) {
        case ModuleType::OriginalName:
            form->addRow(new QLabel(tr("The original name of the file, without its extension.")));
            break;
        case ModuleType::Hash:
            form->addRow(new QLabel(tr("The file's CRC32 checksum (8 lower-case hex digits); computed when missing.")));
            break;
        case ModuleType::Text:
            m_text = makeLine(QStringLiteral("text"), tr("e.g. _holiday_"), tr("Added to the name as written"));
            m_text->setText(module.text);
            watch(m_text);
            form->addRow(tr("&Text:"), m_text);
            break;
        case ModuleType::Counter: {
            m_start = makeSpin(QStringLiteral("start"), 0, CounterStartMax, tr("The first number"));
            m_start->setValue(int(std::clamp<qint64>(module.start, 0, CounterStartMax)));
            m_step = makeSpin(QStringLiteral("step"), 1, CounterStepMax, tr("Added for each following file"));
            m_step->setValue(int(std::clamp<qint64>(module.step, 1, CounterStepMax)));
            m_padding = makeSpin(QStringLiteral("padding"), PaddingMin, PaddingMax,
                                 tr("Digits, zero-padded: 3 gives 001, 002, ..."));
            m_padding->setValue(module.padding);
            m_scope = makeChoiceCombo(QStringLiteral("scope"), ScopeChoices, tr("Where the count restarts"));
            selectData(m_scope, int(module.scope));
            m_groupBy = makeKeyCombo(QStringLiteral("groupBy"), groupItems, tr("metadata field, e.g. capture_date"),
                                     tr("With scope \"Per group\": files with the same value of this field share a "
                                        "count; a date field groups by day"));
            m_groupBy->setEditText(module.groupBy);
            for (QWidget *w : {static_cast<QWidget *>(m_start), static_cast<QWidget *>(m_step),
                               static_cast<QWidget *>(m_padding), static_cast<QWidget *>(m_scope),
                               static_cast<QWidget *>(m_groupBy)})
                watch(w);
            form->addRow(tr("&Start:"), m_start);
            form->addRow(tr("S&tep:"), m_step);
            form->addRow(tr("&Digits:"), m_padding);
            form->addRow(tr("S&cope:"), m_scope);
            form->addRow(tr("&Group by:"), m_groupBy);
            break;
        }
        case ModuleType::Metadata: {
            m_field = makeKeyCombo(QStringLiteral("field"), fieldItems, tr("e.g. EXIF:Model or capture_date"),
                                   tr("A metadata key (Group:Tag or a bare Tag), file:mtime, file:ctime, or "
                                      "capture_date (the first capture date found)"));
            m_field->setEditText(module.field);
            m_format = makeLine(QStringLiteral("format"), QStringLiteral("%Y%m%d_%H%M%S"),
                                tr("For dates: %Y %m %d %H %M %S %y %j %b %B %a %A %f (sub-seconds) %%; "
                                   "empty keeps the value as it is"));
            m_format->setText(module.format);
            m_hasFallback = makeCheck(QStringLiteral("hasFallback"), tr("&When missing, use:"),
                                      tr("Without a fallback a file lacking the value is marked missing data "
                                         "and not renamed"));
            m_hasFallback->setChecked(module.fallback.has_value());
            m_fallback = makeLine(QStringLiteral("fallback"), tr("e.g. undated"), tr("Used when the file has no value"));
            m_fallback->setText(module.fallback.value_or(QString()));
            for (QWidget *w : {static_cast<QWidget *>(m_field), static_cast<QWidget *>(m_format),
                               static_cast<QWidget *>(m_hasFallback), static_cast<QWidget *>(m_fallback)})
                watch(w);
            form->addRow(tr("&Field:"), m_field);
            form->addRow(tr("F&ormat:"), m_format);
            form->addRow(m_hasFallback, m_fallback);
            break;
        }
        case ModuleType::TextRemoval:
            m_text = makeLine(QStringLiteral("text"), tr("text to remove"), tr("Removed from the original name"));
            m_text->setText(module.text);
            m_position = makeChoiceCombo(QStringLiteral("position"), PositionChoices, tr("Which occurrence is removed"));
            selectData(m_position, int(module.position));
            m_caseSensitive = makeCheck(QStringLiteral("caseSensitive"), tr("C&ase-sensitive"),
                                        tr("Unticked, \"IMG\" also removes \"img\""));
            m_caseSensitive->setChecked(module.caseSensitive);
            for (QWidget *w : {static_cast<QWidget *>(m_text), static_cast<QWidget *>(m_position),
                               static_cast<QWidget *>(m_caseSensitive)})
                watch(w);
            form->addRow(tr("&Text:"), m_text);
            form->addRow(tr("&Position:"), m_position);
            form->addRow(QString(), m_caseSensitive);
            break;
        case ModuleType::Replace:
            m_find = makeLine(QStringLiteral("find"), tr("text to find"), tr("Searched in the original name"));
            m_find->setText(module.find);
            m_replace = makeLine(QStringLiteral("replace"), tr("replacement (may be empty)"),
                                 tr("With a regular expression, $1 ... and ${name} insert capture groups, "
                                    "$$ a dollar"));
            m_replace->setText(module.replace);
            m_regex = makeCheck(QStringLiteral("regex"), tr("Regular e&xpression"),
                                tr("Find is a regular expression (PCRE syntax)"));
            m_regex->setChecked(module.regex);
            m_caseSensitive = makeCheck(QStringLiteral("caseSensitive"), tr("C&ase-sensitive"),
                                        tr("Unticked, \"img\" also finds \"IMG\""));
            m_caseSensitive->setChecked(module.caseSensitive);
            for (QWidget *w : {static_cast<QWidget *>(m_find), static_cast<QWidget *>(m_replace),
                               static_cast<QWidget *>(m_regex), static_cast<QWidget *>(m_caseSensitive)})
                watch(w);
            form->addRow(tr("&Find:"), m_find);
            form->addRow(tr("&Replace with:"), m_replace);
            form->addRow(QString(), m_regex);
            form->addRow(QString(), m_caseSensitive);
            break;
        case ModuleType::Substring:
            m_from = makeSpin(QStringLiteral("from"), 0, SubstringMax, tr("The first character kept (0 is the first)"));
            m_from->setValue(qBound(0, module.from, SubstringMax));
            m_hasTo = makeCheck(QStringLiteral("hasTo"), tr("&Up to:"),
                                tr("Unticked, everything from the start position to the end is kept"));
            m_hasTo->setChecked(module.to.has_value());
            m_to = makeSpin(QStringLiteral("to"), 0, SubstringMax, tr("The first character no longer kept"));
            m_to->setValue(qBound(0, module.to.value_or(0), SubstringMax));
            for (QWidget *w : {static_cast<QWidget *>(m_from), static_cast<QWidget *>(m_hasTo),
                               static_cast<QWidget *>(m_to)})
                watch(w);
            form->addRow(tr("&From:"), m_from);
            form->addRow(m_hasTo, m_to);
            break;
        }
        updateDependents();
    }

    [[nodiscard]] ModuleType type() const { return m_base.type; }

    [[nodiscard]] RecipeModule module() const
    {
        RecipeModule m = m_base;
        m.enabled = m_enabled->isChecked();
        switch (m.type) {
        case ModuleType::OriginalName:
        case ModuleType::Hash:
            break;
        case ModuleType::Text:
            m.text = m_text->text();
            break;
        case ModuleType::Counter:
            m.start = m_start->value();
            m.step = m_step->value();
            m.padding = m_padding->value();
            m.scope = CounterScope(m_scope->currentData().toInt());
            // The field stays in the (disabled) combo when another scope is picked, so switching
            // back restores it, but only per_group may carry one (Recipe::validate()).
            m.groupBy = m.scope == CounterScope::PerGroup ? m_groupBy->currentText() : QString();
            break;
        case ModuleType::Metadata:
            m.field = m_field->currentText();
            m.format = m_format->text();
            m.fallback = m_hasFallback->isChecked() ? std::optional<QString>(m_fallback->text()) : std::nullopt;
            break;
        case ModuleType::TextRemoval:
            m.text = m_text->text();
            m.position = RemovalPosition(m_position->currentData().toInt());
            m.caseSensitive = m_caseSensitive->isChecked();
            break;
        case ModuleType::Replace:
            m.find = m_find->text();
            m.replace = m_replace->text();
            m.regex = m_regex->isChecked();
            m.caseSensitive = m_caseSensitive->isChecked();
            break;
        case ModuleType::Substring:
            m.from = m_from->value();
            m.to = m_hasTo->isChecked() ? std::optional<int>(m_to->value()) : std::nullopt;
            break;
        }
        return m;
    }

    void setSuggestions(const QStringList &fieldItems, const QStringList &groupItems)
    {
        if (m_field)
            setKeyItems(m_field, fieldItems);
        if (m_groupBy)
            setKeyItems(m_groupBy, groupItems);
    }

    [[nodiscard]] QString summary() const
    {
        const RecipeModule m = module();
        QString text;
        switch (m.type) {
        case ModuleType::OriginalName:
            text = tr("Original name");
            break;
        case ModuleType::Hash:
            text = tr("CRC32 hash");
            break;
        case ModuleType::Text:
            text = m.text.isEmpty() ? tr("Text (empty)") : tr("Text %1").arg(quoted(m.text));
            break;
        case ModuleType::Counter: {
            QString scope;
            switch (m.scope) {
            case CounterScope::Global: scope = tr("global"); break;
            case CounterScope::PerFolder: scope = tr("per folder"); break;
            case CounterScope::PerExtension: scope = tr("per extension"); break;
            case CounterScope::PerGroup:
                scope = tr("per %1").arg(m.groupBy.isEmpty() ? tr("group (no field)") : m.groupBy);
                break;
            }
            text = tr("Counter %1, step %2, %3")
                       .arg(QString::number(m.start).rightJustified(m.padding, QLatin1Char('0')))
                       .arg(m.step)
                       .arg(scope);
            break;
        }
        case ModuleType::Metadata:
            text = tr("Metadata %1").arg(m.field.isEmpty() ? tr("(no field)") : m.field);
            if (!m.format.isEmpty())
                text += tr(" as %1").arg(m.format);
            if (m.fallback)
                text += tr(", else %1").arg(quoted(*m.fallback));
            break;
        case ModuleType::TextRemoval: {
            QString where;
            switch (m.position) {
            case RemovalPosition::Start: where = tr("at the start"); break;
            case RemovalPosition::End: where = tr("at the end"); break;
            case RemovalPosition::First: where = tr("first occurrence"); break;
            case RemovalPosition::All: where = tr("every occurrence"); break;
            }
            text = tr("Remove %1, %2").arg(quoted(m.text), where);
            if (m.caseSensitive)
                text += tr(", case-sensitive");
            break;
        }
        case ModuleType::Replace:
            text = tr("Replace %1 with %2").arg(quoted(m.find), quoted(m.replace));
            if (m.regex)
                text += tr(" (regex)");
            if (!m.caseSensitive)
                text += tr(", any case");
            break;
        case ModuleType::Substring:
            text = m.to ? tr("Characters %1 to %2").arg(m.from).arg(*m.to)
                        : tr("Characters %1 to the end").arg(m.from);
            break;
        }
        if (!m.enabled)
            text += tr(" (off)");
        return text;
    }

private:
    void watch(QWidget *widget)
    {
        const auto notify = [this] {
            updateDependents();
            m_changed();
        };
        if (auto *line = qobject_cast<QLineEdit *>(widget))
            connect(line, &QLineEdit::textChanged, this, notify);
        else if (auto *box = qobject_cast<QCheckBox *>(widget))
            connect(box, &QCheckBox::toggled, this, notify);
        else if (auto *spin = qobject_cast<QSpinBox *>(widget))
            connect(spin, &QSpinBox::valueChanged, this, notify);
        else if (auto *combo = qobject_cast<QComboBox *>(widget)) {
            if (combo->isEditable())
                connect(combo, &QComboBox::editTextChanged, this, notify);
            else
                connect(combo, &QComboBox::currentIndexChanged, this, notify);
        }
    }

    // Widgets whose value means nothing in the current state are greyed out, not hidden, so the
    // form keeps its shape and the value comes back when it matters again.
    void updateDependents()
    {
        if (m_groupBy)
            m_groupBy->setEnabled(m_scope->currentData().toInt() == int(CounterScope::PerGroup));
        if (m_fallback)
            m_fallback->setEnabled(m_hasFallback->isChecked());
        if (m_to)
            m_to->setEnabled(m_hasTo->isChecked());
    }

    RecipeModule m_base;
    std::function<void()> m_changed;

    QCheckBox *m_enabled = nullptr;
    QLineEdit *m_text = nullptr;
    QSpinBox *m_start = nullptr;
    QSpinBox *m_step = nullptr;
    QSpinBox *m_padding = nullptr;
    QComboBox *m_scope = nullptr;
    QComboBox *m_groupBy = nullptr;
    QComboBox *m_field = nullptr;
    QLineEdit *m_format = nullptr;
    QCheckBox *m_hasFallback = nullptr;
    QLineEdit *m_fallback = nullptr;
    QComboBox *m_position = nullptr;
    QCheckBox *m_caseSensitive = nullptr;
    QLineEdit *m_find = nullptr;
    QLineEdit *m_replace = nullptr;
    QCheckBox *m_regex = nullptr;
    QSpinBox *m_from = nullptr;
    QCheckBox *m_hasTo = nullptr;
    QSpinBox *m_to = nullptr;
};

RecipeEditor::RecipeEditor(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("RecipeEditor"));
    buildUi();
    Recipe initial;
    initial.modules.append(RecipeModule::make(ModuleType::OriginalName));
    addModule(initial.modules.first());
    setCurrentModuleIndex(0);
    onEdited(); // summaries and the validation label; nobody is connected yet
}

RecipeEditor::~RecipeEditor() = default;

void RecipeEditor::buildUi()
{
    auto *root = new QVBoxLayout(this);

    // Modules: the list of summaries (order = name order) with its buttons, then the form.
    auto *modulesBox = new QGroupBox(tr("Modules"));
    modulesBox->setObjectName(QStringLiteral("modulesGroup"));
    auto *modulesLayout = new QHBoxLayout(modulesBox);

    auto *left = new QVBoxLayout;
    m_moduleList = new QListWidget;
    m_moduleList->setObjectName(QStringLiteral("moduleList"));
    m_moduleList->setToolTip(tr("The new name is these parts joined in this order.\n"
                                "Alt+Up / Alt+Down move the selected part, Delete removes it."));
    m_moduleList->setSelectionMode(QAbstractItemView::SingleSelection);
    left->addWidget(m_moduleList, 1);

    auto *addRow = new QHBoxLayout;
    m_addType = makeChoiceCombo(QStringLiteral("addModuleType"), ModuleTypeChoices, tr("The kind of part to add"));
    m_addButton = new QPushButton(tr("&Add"));
    m_addButton->setObjectName(QStringLiteral("addModuleButton"));
    m_addButton->setToolTip(tr("Add a part of the chosen kind at the end of the name"));
    addRow->addWidget(m_addType, 1);
    addRow->addWidget(m_addButton);
    left->addLayout(addRow);

    auto *editRow = new QHBoxLayout;
    m_removeButton = new QPushButton(tr("&Remove"));
    m_removeButton->setObjectName(QStringLiteral("removeModuleButton"));
    m_removeButton->setToolTip(tr("Remove the selected part (Delete)"));
    m_upButton = new QPushButton(tr("Move &up"));
    m_upButton->setObjectName(QStringLiteral("moveUpButton"));
    m_upButton->setToolTip(tr("Move the selected part earlier in the name (Alt+Up)"));
    m_downButton = new QPushButton(tr("Move do&wn"));
    m_downButton->setObjectName(QStringLiteral("moveDownButton"));
    m_downButton->setToolTip(tr("Move the selected part later in the name (Alt+Down)"));
    editRow->addWidget(m_removeButton);
    editRow->addWidget(m_upButton);
    editRow->addWidget(m_downButton);
    left->addLayout(editRow);
    modulesLayout->addLayout(left, 2);

    m_stack = new QStackedWidget;
    m_stack->setObjectName(QStringLiteral("moduleStack"));
    m_emptyPage = new QLabel(tr("No parts: add one on the left."));
    m_stack->addWidget(m_emptyPage);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_stack);
    modulesLayout->addWidget(scroll, 3);
    root->addWidget(modulesBox, 1);

    auto *bottom = new QHBoxLayout;
    auto *transformBox = new QGroupBox(tr("Final transform"));
    transformBox->setObjectName(QStringLiteral("finalTransform"));
    transformBox->setToolTip(tr("Applied once to the whole new name (never to the extension), in this order"));
    auto *transformForm = new QFormLayout(transformBox);
    m_greeklish = makeCheck(QStringLiteral("greeklish"), tr("&Greeklish"), tr("Greek letters to Latin: Θέμα → Thema"));
    m_stripDiacritics = makeCheck(QStringLiteral("stripDiacritics"), tr("Strip &diacritics"), tr("é → e, ñ → n, ß → ss"));
    m_caseMode = makeChoiceCombo(QStringLiteral("caseMode"), CaseChoices, tr("Letter case of the new name"));
    m_separator = makeChoiceCombo(QStringLiteral("separator"), SeparatorChoices, tr("How word separators are written"));
    transformForm->addRow(m_greeklish);
    transformForm->addRow(m_stripDiacritics);
    transformForm->addRow(tr("&Case:"), m_caseMode);
    transformForm->addRow(tr("Se&parators:"), m_separator);
    bottom->addWidget(transformBox);

    auto *optionsBox = new QGroupBox(tr("Options"));
    optionsBox->setObjectName(QStringLiteral("options"));
    auto *optionsForm = new QFormLayout(optionsBox);
    m_sort = makeChoiceCombo(QStringLiteral("sort"), SortChoices, tr("The order files are numbered in"));
    m_sortReverse = makeCheck(QStringLiteral("sortReverse"), tr("Re&verse order"), tr("Number from the other end"));
    m_onConflict = makeChoiceCombo(QStringLiteral("onConflict"), PolicyChoices,
                                   tr("What happens to rows with a problem (invalid, duplicate, conflict, missing data)"));
    m_companions = makeCheck(QStringLiteral("companions"), tr("Rename &companion files"),
                             tr("Sidecars (.xmp), RAW+JPG pairs, subtitles and camera XML follow their main file"));
    m_windowsSafe = makeCheck(QStringLiteral("windowsSafe"), tr("&Windows-safe names"),
                              tr("Also refuse <>:\"\\|?*, trailing dots and spaces, and names like CON or LPT1"));
    m_suffix = makeLine(QStringLiteral("suffix"), QStringLiteral("_{n}"),
                        tr("Added to a conflicting name with the Suffix policy; {n} is the attempt number"));
    optionsForm->addRow(tr("S&ort by:"), m_sort);
    optionsForm->addRow(QString(), m_sortReverse);
    optionsForm->addRow(tr("On co&nflict:"), m_onConflict);
    optionsForm->addRow(tr("Su&ffix:"), m_suffix);
    optionsForm->addRow(QString(), m_companions);
    optionsForm->addRow(QString(), m_windowsSafe);
    bottom->addWidget(optionsBox);
    root->addLayout(bottom);

    m_validationLabel = new QLabel;
    m_validationLabel->setObjectName(QStringLiteral("validationLabel"));
    m_validationLabel->setWordWrap(true);
    m_validationLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_validationLabel->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    m_validationLabel->setPalette(palette);
    root->addWidget(m_validationLabel);

    // Defaults of a new recipe.
    const Recipe defaults;
    selectData(m_caseMode, int(defaults.finalTransform.caseMode));
    selectData(m_separator, int(defaults.finalTransform.separator));
    selectData(m_sort, int(defaults.sort));
    selectData(m_onConflict, int(defaults.onConflict));
    m_companions->setChecked(defaults.companions);
    m_windowsSafe->setChecked(defaults.windowsSafe);
    m_suffix->setText(defaults.suffix);

    const auto edited = [this] { onEdited(); };
    for (QCheckBox *box : {m_greeklish, m_stripDiacritics, m_sortReverse, m_companions, m_windowsSafe})
        connect(box, &QCheckBox::toggled, this, edited);
    for (QComboBox *combo : {m_caseMode, m_separator, m_sort, m_onConflict})
        connect(combo, &QComboBox::currentIndexChanged, this, edited);
    connect(m_suffix, &QLineEdit::textChanged, this, edited);

    connect(m_moduleList, &QListWidget::currentRowChanged, this, [this] { syncSelection(); });
    connect(m_addButton, &QPushButton::clicked, this, [this] { addModuleOfSelectedType(); });
    connect(m_removeButton, &QPushButton::clicked, this, [this] { removeCurrentModule(); });
    connect(m_upButton, &QPushButton::clicked, this, [this] { moveCurrentModule(-1); });
    connect(m_downButton, &QPushButton::clicked, this, [this] { moveCurrentModule(+1); });

    const auto listShortcut = [this](const QKeySequence &keys, std::function<void()> action) {
        auto *shortcut = new QShortcut(keys, m_moduleList);
        shortcut->setContext(Qt::WidgetShortcut);
        connect(shortcut, &QShortcut::activated, this, std::move(action));
    };
    listShortcut(QKeySequence::Delete, [this] { removeCurrentModule(); });
    listShortcut(QKeySequence(Qt::ALT | Qt::Key_Up), [this] { moveCurrentModule(-1); });
    listShortcut(QKeySequence(Qt::ALT | Qt::Key_Down), [this] { moveCurrentModule(+1); });

    setTabOrder(m_moduleList, m_addType);
    setTabOrder(m_addType, m_addButton);
    setTabOrder(m_addButton, m_removeButton);
    setTabOrder(m_removeButton, m_upButton);
    setTabOrder(m_upButton, m_downButton);
}

Recipe RecipeEditor::recipe() const
{
    Recipe r;
    for (const ModuleForm *form : m_forms)
        r.modules.append(form->module());
    r.finalTransform.greeklish = m_greeklish->isChecked();
    r.finalTransform.caseMode = CaseMode(m_caseMode->currentData().toInt());
    r.finalTransform.separator = SeparatorMode(m_separator->currentData().toInt());
    r.finalTransform.stripDiacritics = m_stripDiacritics->isChecked();
    r.sort = SortKey(m_sort->currentData().toInt());
    r.sortReverse = m_sortReverse->isChecked();
    const int policy = m_onConflict->currentData().toInt();
    r.onConflict = policy == AskPolicy ? ConflictPolicy::Fail : ConflictPolicy(policy);
    r.companions = m_companions->isChecked();
    r.windowsSafe = m_windowsSafe->isChecked();
    r.suffix = m_suffix->text();
    return r;
}

void RecipeEditor::setRecipe(const Recipe &recipe)
{
    m_updating = true;
    m_moduleList->clear();
    for (ModuleForm *form : std::as_const(m_forms)) {
        m_stack->removeWidget(form);
        delete form;
    }
    m_forms.clear();
    for (const RecipeModule &module : recipe.modules)
        addModule(module);

    m_greeklish->setChecked(recipe.finalTransform.greeklish);
    selectData(m_caseMode, int(recipe.finalTransform.caseMode));
    selectData(m_separator, int(recipe.finalTransform.separator));
    m_stripDiacritics->setChecked(recipe.finalTransform.stripDiacritics);
    selectData(m_sort, int(recipe.sort));
    m_sortReverse->setChecked(recipe.sortReverse);
    selectData(m_onConflict, int(recipe.onConflict));
    m_companions->setChecked(recipe.companions);
    m_windowsSafe->setChecked(recipe.windowsSafe);
    m_suffix->setText(recipe.suffix);
    m_updating = false;

    setCurrentModuleIndex(m_forms.isEmpty() ? -1 : 0);
    onEdited();
}

bool RecipeEditor::askOnConflict() const
{
    return m_onConflict->currentData().toInt() == AskPolicy;
}

void RecipeEditor::setAskOnConflict(bool ask)
{
    if (ask)
        selectData(m_onConflict, AskPolicy);
    else if (askOnConflict())
        selectData(m_onConflict, int(ConflictPolicy::Fail));
}

void RecipeEditor::setMetadataFieldSuggestions(const QStringList &keys)
{
    m_suggestions = keys;
    m_updating = true;
    for (ModuleForm *form : std::as_const(m_forms))
        form->setSuggestions(fieldSuggestions(), groupSuggestions());
    m_updating = false;
}

QString RecipeEditor::validationError() const
{
    const core::Status status = recipe().validate();
    return status ? QString() : status.error().message;
}

int RecipeEditor::moduleCount() const
{
    return int(m_forms.size());
}

QWidget *RecipeEditor::moduleForm(int index) const
{
    return m_forms.value(index, nullptr);
}

int RecipeEditor::currentModuleIndex() const
{
    return m_moduleList->currentRow();
}

void RecipeEditor::setCurrentModuleIndex(int index)
{
    m_moduleList->setCurrentRow(index);
    syncSelection();
}

QStringList RecipeEditor::fieldSuggestions() const
{
    QStringList items{QStringLiteral("capture_date"), QStringLiteral("file:mtime"), QStringLiteral("file:ctime")};
    for (const QString &key : m_suggestions) {
        if (!items.contains(key))
            items.append(key);
    }
    return items;
}

QStringList RecipeEditor::groupSuggestions() const
{
    QStringList items{QStringLiteral("capture_date")};
    for (const QString &key : m_suggestions) {
        if (!items.contains(key))
            items.append(key);
    }
    return items;
}

void RecipeEditor::addModule(const RecipeModule &module)
{
    auto *form = new ModuleForm(module, fieldSuggestions(), groupSuggestions(), [this] { onEdited(); });
    m_stack->addWidget(form);
    // Forms are created after the options; Tab should still go buttons -> form -> options.
    setTabOrder(m_downButton, form);
    m_forms.append(form);
    m_moduleList->addItem(QString());
}

void RecipeEditor::addModuleOfSelectedType()
{
    addModule(RecipeModule::make(ModuleType(m_addType->currentData().toInt())));
    setCurrentModuleIndex(int(m_forms.size()) - 1);
    onEdited();
}

void RecipeEditor::removeCurrentModule()
{
    const int row = m_moduleList->currentRow();
    if (row < 0 || row >= m_forms.size())
        return;
    ModuleForm *form = m_forms.takeAt(row);
    delete m_moduleList->takeItem(row);
    m_stack->removeWidget(form);
    delete form;
    setCurrentModuleIndex(qMin(row, int(m_forms.size()) - 1));
    onEdited();
}

void RecipeEditor::moveCurrentModule(int delta)
{
    const int row = m_moduleList->currentRow();
    const int target = row + delta;
    if (row < 0 || target < 0 || target >= m_forms.size())
        return;
    m_forms.move(row, target);
    // The items only show summaries, rewritten below; moving the selection is enough.
    setCurrentModuleIndex(target);
    onEdited();
}

void RecipeEditor::syncSelection()
{
    const int row = m_moduleList->currentRow();
    if (row >= 0 && row < m_forms.size())
        m_stack->setCurrentWidget(m_forms.at(row));
    else
        m_stack->setCurrentWidget(m_emptyPage);
    updateButtons();
}

void RecipeEditor::refreshSummaries()
{
    const QColor offColor = palette().color(QPalette::Disabled, QPalette::Text);
    for (int i = 0; i < m_forms.size(); ++i) {
        QListWidgetItem *item = m_moduleList->item(i);
        if (!item)
            continue;
        const ModuleForm *form = m_forms.at(i);
        const bool enabled = form->module().enabled;
        item->setText(QStringLiteral("%1. %2").arg(i + 1).arg(form->summary()));
        item->setToolTip(item->text());
        item->setData(Qt::ForegroundRole, enabled ? QVariant() : QVariant(offColor));
        QFont font = item->font();
        font.setItalic(!enabled);
        item->setFont(font);
    }
}

void RecipeEditor::updateButtons()
{
    const int row = m_moduleList->currentRow();
    const bool has = row >= 0 && row < m_forms.size();
    m_removeButton->setEnabled(has);
    m_upButton->setEnabled(has && row > 0);
    m_downButton->setEnabled(has && row < m_forms.size() - 1);
}

void RecipeEditor::onEdited()
{
    if (m_updating)
        return;
    refreshSummaries();
    const QString error = validationError();
    m_validationLabel->setText(error);
    m_validationLabel->setVisible(!error.isEmpty());
    Q_EMIT recipeChanged();
}

} // namespace oncutf::gui
