#!/usr/bin/env bash
# Fails when oncutf_core reaches Qt Gui or Widgets: through its link libraries, through the
# CLI binary (which links only the core) or through an include in src/core.
set -u
links=$1 cli=$2 coredir=$3
fail=0
if grep -Eq 'Qt6?::(Gui|Widgets)|Qt6(Gui|Widgets)' "$links"; then
  echo "oncutf_core links Qt Gui/Widgets: $(cat "$links")"; fail=1
fi
if ldd "$cli" | grep -Eq 'libQt6(Gui|Widgets)'; then
  echo "oncutf-cli (core only) pulls in Qt Gui/Widgets:"; ldd "$cli" | grep -E 'libQt6'; fail=1
fi
if grep -REn '#include *<(QtGui|QtWidgets|QWidget|QApplication|QGuiApplication|QImage|QPixmap|QIcon)' "$coredir"; then
  echo "src/core includes Qt Gui/Widgets headers"; fail=1
fi
[ $fail -eq 0 ] && echo "oncutf_core is free of Qt Gui and Widgets"
exit $fail
