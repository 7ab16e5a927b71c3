<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DetailsCard</name>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>account name</source>
        <translation>Kontoname</translation>
    </message>
    <message>
        <source>Select a workspace, user or client to see its details.</source>
        <extracomment>What the card says when no workspace, user or client row is selected.</extracomment>
        <translation>Wählen Sie einen Arbeitsbereich, Benutzer oder Kunden, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>name</source>
        <extracomment>A value longer than this many characters is shown cut, with &quot;…&quot; (copies are whole). A multi-line value (address, note) shows at most this many of its lines. Fields whose own line breaks are kept on screen; in the others a line break is shown as its visible symbol, as in the tree, so a stray one in a name or an e-mail is noticed. The field as a status message names it: &quot;Copied e-mail of Acme GmbH&quot; (English; the card shows them, and the labels, translated).</extracomment>
        <translation>Name</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>Tarif</translation>
    </message>
    <message>
        <source>currency</source>
        <translation>Währung</translation>
    </message>
    <message>
        <source>hourly rate</source>
        <translation>Stundensatz</translation>
    </message>
    <message>
        <source>e-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>CC e-mails</source>
        <translation>CC-E-Mails</translation>
    </message>
    <message>
        <source>note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>archived state</source>
        <translation>Archivstatus</translation>
    </message>
    <message>
        <source>docs101 status</source>
        <translation>docs101-Status</translation>
    </message>
    <message>
        <source>docs101 customer ID</source>
        <translation>docs101-Kundennummer</translation>
    </message>
    <message>
        <source>docs101 customer name</source>
        <translation>docs101-Kundenname</translation>
    </message>
    <message>
        <source>docs101 e-mail</source>
        <translation>docs101-E-Mail</translation>
    </message>
    <message>
        <source>docs101 VAT ID</source>
        <translation>docs101-USt-IdNr.</translation>
    </message>
    <message>
        <source>Name</source>
        <extracomment>The labels of `record_fields` (English, as `fields()` gives them), for lupdate: the card shows them translated.</extracomment>
        <translation>Name</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Tarif</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Währung</translation>
    </message>
    <message>
        <source>Hourly rate</source>
        <translation>Stundensatz</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Archiviert</translation>
    </message>
    <message>
        <source>docs101</source>
        <translation>docs101</translation>
    </message>
    <message>
        <source>docs101 customer</source>
        <translation>docs101-Kunde</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>In docs101</source>
        <translation>In docs101</translation>
    </message>
    <message>
        <source>Similar, score {score}</source>
        <translation>Ähnlich, Wert {score}</translation>
    </message>
    <message>
        <source>Not in docs101</source>
        <translation>Nicht in docs101</translation>
    </message>
    <message>
        <source>Details</source>
        <extracomment>A status message after a Copy button put a value on the clipboard.</extracomment>
        <translation>Details</translation>
    </message>
    <message>
        <source>Copy {field}</source>
        <translation>{field} kopieren</translation>
    </message>
    <message>
        <source>Copy the {what} to the clipboard</source>
        <translation>{what} in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copied {what} of {name}</source>
        <translation>{what} von {name} kopiert</translation>
    </message>
</context>
<context>
    <name>Docs101Link</name>
    <message>
        <source>{count} customers from {file}</source>
        <extracomment>The CSV file of customers the user chose (its path), used instead of docs101&apos;s API. False: the stored key is not looked for (demo mode: `read_key` gives its key). Whether a docs101 key is known to be there (None: not looked yet). The CSV file of customers in use instead of the API (None: the API&apos;s key).</extracomment>
        <translation>{count} Kunden aus {file}</translation>
    </message>
    <message>
        <source>docs101 could not be loaded, so no client is marked: {problem}</source>
        <translation>docs101 konnte nicht geladen werden, daher ist kein Kunde markiert: {problem}</translation>
    </message>
</context>
<context>
    <name>PanelModel</name>
    <message>
        <source>Account, {name}, failed: {problem}</source>
        <translation>Konto, {name}, fehlgeschlagen: {problem}</translation>
    </message>
    <message>
        <source>Account, {name}, {state}</source>
        <translation>Konto, {name}, {state}</translation>
    </message>
    <message>
        <source>Account: {name}</source>
        <translation>Konto: {name}</translation>
    </message>
    <message>
        <source>Server: {address}</source>
        <translation>Server: {address}</translation>
    </message>
    <message>
        <source>{account} (loading…)</source>
        <translation>{account} (wird geladen…)</translation>
    </message>
    <message>
        <source>{account}: {problem}</source>
        <translation>{account}: {problem}</translation>
    </message>
    <message>
        <source>(no name)</source>
        <extracomment>What a drag of rows carries: their names, and their records as JSON. Shown for a record or workspace without a name (English; `no_name()` and the model show them in the interface&apos;s language).</extracomment>
        <translation>(kein Name)</translation>
    </message>
    <message>
        <source>(unnamed workspace)</source>
        <translation>(unbenannter Arbeitsbereich)</translation>
    </message>
    <message>
        <source>Users</source>
        <extracomment>The group rows&apos; labels (GroupNode.label, English), for lupdate: the model shows them translated.
----------
The column of the Clockify ids, when `PanelModel.show_ids` is on. A client&apos;s docs101 status: &quot;match&quot;, &quot;similar&quot; or &quot;missing&quot;; None without docs101 data. Narrowing: the last query filtered here and its matches, valid while `version` holds. A row named by kind and IDs only: (kind, workspace id, user or client id, &quot;&quot; for the workspace and group rows). What the panel remembers of its view across restarts. Rows of the workspace and group rows (ascending), and the same by id() of the node; records sit right under their group&apos;s row, so these find any row&apos;s parent. id() of a record node -&gt; its row; built on first use after each relayout. The dimmed and error colours, and the cacheKey() of the palette they were made for.</extracomment>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Kunden</translation>
    </message>
    <message>
        <source>ID {id}</source>
        <extracomment>docs101 cross-reference: workspace id -&gt; client id -&gt; its ClientXref. &quot;Only clients not in docs101&quot;: clients docs101 has (match, similar) are hidden.</extracomment>
        <translation>ID {id}</translation>
    </message>
    <message>
        <source>No ID</source>
        <translation>Keine ID</translation>
    </message>
    <message>
        <source>Level {level}</source>
        <translation>Ebene {level}</translation>
    </message>
    <message>
        <source>User, {name}</source>
        <translation>Benutzer, {name}</translation>
    </message>
    <message>
        <source>Client, {name}, archived</source>
        <translation>Kunde, {name}, archiviert</translation>
    </message>
    <message>
        <source>Client, {name}</source>
        <translation>Kunde, {name}</translation>
    </message>
    <message>
        <source>, in docs101</source>
        <translation>, in docs101</translation>
    </message>
    <message>
        <source>, similar in docs101</source>
        <translation>, ähnlich in docs101</translation>
    </message>
    <message>
        <source>, not in docs101</source>
        <translation>, nicht in docs101</translation>
    </message>
    <message>
        <source>expanded</source>
        <translation>geöffnet</translation>
    </message>
    <message>
        <source>collapsed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>Workspace, {name}, {state}</source>
        <translation>Arbeitsbereich, {name}, {state}</translation>
    </message>
    <message>
        <source>loading</source>
        <translation>lädt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>not loaded</source>
        <translation>nicht geladen</translation>
    </message>
    <message>
        <source>{shown} of {total}</source>
        <translation>{shown} von {total}</translation>
    </message>
    <message>
        <source>{group} group, {count}, {state}</source>
        <translation>Gruppe {group}, {count}, {state}</translation>
    </message>
    <message>
        <source>{group} (loading… {count})</source>
        <translation>{group} (lädt… {count})</translation>
    </message>
    <message>
        <source>{group} (loading…)</source>
        <translation>{group} (lädt…)</translation>
    </message>
    <message>
        <source>{group}: {problem} [Enter to retry]</source>
        <translation>{group}: {problem} [Eingabe: erneut versuchen]</translation>
    </message>
    <message>
        <source>{group} ({shown} of {total})</source>
        <translation>{group} ({shown} von {total})</translation>
    </message>
    <message>
        <source>Name: {name}</source>
        <translation>Name: {name}</translation>
    </message>
    <message>
        <source>ID: {id}</source>
        <translation>ID: {id}</translation>
    </message>
    <message>
        <source>E-mail: {email}</source>
        <translation>E-Mail: {email}</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>Status: {status}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Archived: {archived}</source>
        <translation>Archiviert: {archived}</translation>
    </message>
    <message>
        <source>Workspace: {name}</source>
        <translation>Arbeitsbereich: {name}</translation>
    </message>
    <message>
        <source>Shown from the cache: {age}</source>
        <translation>Aus dem Zwischenspeicher angezeigt: {age}</translation>
    </message>
    <message>
        <source>Press Enter or double-click to retry.</source>
        <translation>Eingabetaste oder Doppelklick versucht es erneut.</translation>
    </message>
    <message>
        <source>In docs101: {name} ({id})</source>
        <translation>In docs101: {name} ({id})</translation>
    </message>
    <message>
        <source>Similar in docs101: {name} ({id}), score {score}</source>
        <translation>Ähnlich in docs101: {name} ({id}), Wert {score}</translation>
    </message>
    <message>
        <source>Not in docs101</source>
        <translation>Nicht in docs101</translation>
    </message>
</context>
<context>
    <name>PanelSession</name>
    <message>
        <source>updated just now</source>
        <extracomment>A Free workspace whose cached rows are younger than this is not refreshed at start.</extracomment>
        <translation>gerade aktualisiert</translation>
    </message>
    <message>
        <source>updated {count} min ago</source>
        <translation>vor {count} Min. aktualisiert</translation>
    </message>
    <message>
        <source>updated {count} h ago</source>
        <translation>vor {count} Std. aktualisiert</translation>
    </message>
    <message>
        <source>updated {count} days ago</source>
        <translation>vor {count} Tagen aktualisiert</translation>
    </message>
    <message>
        <source>Disconnected from {connection}: its API key and cached data were removed from this computer.</source>
        <translation>Verbindung zu {connection} getrennt: API-Schlüssel und zwischengespeicherte Daten wurden von diesem Computer entfernt.</translation>
    </message>
    <message>
        <source>Disconnected from {connection}: its API key was removed from this computer (no data was cached).</source>
        <translation>Verbindung zu {connection} getrennt: der API-Schlüssel wurde von diesem Computer entfernt (es waren keine Daten zwischengespeichert).</translation>
    </message>
    <message>
        <source>Disconnected from {connection}: its cached data was removed from this computer (no API key was stored).</source>
        <translation>Verbindung zu {connection} getrennt: die zwischengespeicherten Daten wurden von diesem Computer entfernt (es war kein API-Schlüssel gespeichert).</translation>
    </message>
    <message>
        <source>Disconnected from {connection}: nothing of it was stored on this computer.</source>
        <translation>Verbindung zu {connection} getrennt: auf diesem Computer war nichts davon gespeichert.</translation>
    </message>
    <message>
        <source>Reading the stored key…</source>
        <extracomment>The docs101 cross-reference: customers loaded after the clients, on workers.</extracomment>
        <translation>Gespeicherter Schlüssel wird gelesen…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>The stored API key could not be read: {problem}</source>
        <translation>Der gespeicherte API-Schlüssel konnte nicht gelesen werden: {problem}</translation>
    </message>
    <message>
        <source>The stored API key is in an encrypted file; its passphrase is needed.</source>
        <translation>Der gespeicherte API-Schlüssel liegt in einer verschlüsselten Datei; ihre Passphrase wird benötigt.</translation>
    </message>
    <message>
        <source>Showing saved data, {age}: saving requests on the Free plan. F5 refreshes.</source>
        <translation>Gespeicherte Daten, {age}: spart Anfragen im Free-Tarif. F5 aktualisiert.</translation>
    </message>
    <message>
        <source>Showing saved data, {age}. F5 refreshes.</source>
        <translation>Gespeicherte Daten, {age}. F5 aktualisiert.</translation>
    </message>
    <message>
        <source>Saved data, {age}</source>
        <translation>Gespeicherte Daten, {age}</translation>
    </message>
    <message>
        <source>Showing data from {stamp}. {problem}</source>
        <translation>Daten vom {stamp}. {problem}</translation>
    </message>
    <message>
        <source>Refresh anyway</source>
        <translation>Trotzdem aktualisieren</translation>
    </message>
    <message>
        <source>Offline, showing data from {stamp}. {problem}</source>
        <translation>Offline, Daten vom {stamp}. {problem}</translation>
    </message>
    <message>
        <source>Could not refresh, showing data from {stamp}. {problem}</source>
        <translation>Aktualisierung fehlgeschlagen, Daten vom {stamp}. {problem}</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Connected, but the next start will not remember this connection: {reason}.</source>
        <translation>Verbunden, aber beim nächsten Start ist diese Verbindung nicht mehr bekannt: {reason}.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>docs101 disconnected: its key was removed.</source>
        <translation>docs101 getrennt: sein Schlüssel wurde entfernt.</translation>
    </message>
</context>
<context>
    <name>PanelTray</name>
    <message>
        <source>Clockify Panel</source>
        <extracomment>The icon&apos;s tooltip and the notice (English; shown translated with PanelTray.tr).</extracomment>
        <translation>Clockify Panel</translation>
    </message>
    <message>
        <source>Clockify Panel is still running in the tray; click its icon to show it again. Quit from its menu.</source>
        <translation>Clockify Panel läuft im Infobereich weiter; klicken Sie auf sein Symbol, um es wieder anzuzeigen. Beenden über sein Menü.</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
</context>
<context>
    <name>PanelWindow</name>
    <message>
        <source>No API key stored: Settings… to add one.</source>
        <translation>Kein API-Schlüssel gespeichert: unter Einstellungen… hinzufügen.</translation>
    </message>
    <message>
        <source>Clockify Panel</source>
        <extracomment>Where the desktop has a tray: closing the window hides it there (on by default). Set once the tray&apos;s notice has said where the closed window went (it says so once). &quot;Only clients not in docs101&quot; (the docs101 cross-reference&apos;s filter). Off for people on rate-limited plans: the panel then starts on its cached data. The tree as the user left it (SavedView&apos;s JSON: kinds and IDs only, never a name). The tree&apos;s state is also saved this long after the user last opened, closed, selected or scrolled something (on a worker), so a panel that is killed keeps most of it. A workspace&apos;s cached users&apos; and clients&apos; rows (None: that list was not cached).</extracomment>
        <translation>Clockify Panel</translation>
    </message>
    <message>
        <source>{action} ({shortcut})</source>
        <extracomment>Esc in an empty filter hides the window (see `hide_on_escape`). Set by `quit_panel`: closing the window then quits, tray or not. The tray icon, where the desktop has a tray (None: closing the window quits).</extracomment>
        <translation>{action} ({shortcut})</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Always on top</source>
        <translation>Immer im Vordergrund</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Copy name</source>
        <translation>Name kopieren</translation>
    </message>
    <message>
        <source>Copy ID</source>
        <translation>ID kopieren</translation>
    </message>
    <message>
        <source>Copy name&lt;TAB&gt;ID</source>
        <translation>Name&lt;TAB&gt;ID kopieren</translation>
    </message>
    <message>
        <source>Copy e-mail</source>
        <translation>E-Mail kopieren</translation>
    </message>
    <message>
        <source>Copy bill-to block</source>
        <translation>Rechnungsblock kopieren</translation>
    </message>
    <message>
        <source>Copy the client&apos;s name, address and e-mail, one per line (Ctrl+B)</source>
        <translation>Name, Rechnungsadresse und E-Mail des Kunden kopieren, je eine Zeile (Strg+B)</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Details anzeigen</translation>
    </message>
    <message>
        <source>Show IDs</source>
        <translation>IDs anzeigen</translation>
    </message>
    <message>
        <source>This workspace has a paid plan</source>
        <translation>Dieser Arbeitsbereich hat einen bezahlten Tarif</translation>
    </message>
    <message>
        <source>Free workspaces allow 30 API requests an hour, shared with docs101 and other integrations, so the panel spends few of them. Check this if the workspace pays for a plan without that limit.</source>
        <translation>Arbeitsbereiche im Free-Tarif erlauben 30 API-Anfragen pro Stunde, geteilt mit docs101 und anderen Integrationen; daher verbraucht das Panel nur wenige davon. Aktivieren Sie dies, wenn der Arbeitsbereich einen Tarif ohne diese Grenze bezahlt.</translation>
    </message>
    <message>
        <source>Edit templates…</source>
        <extracomment>What the ledger said at its last reading: workspace id -&gt; marked paid; the workspace the right-click menu&apos;s paid-plan action is about.</extracomment>
        <translation>Vorlagen bearbeiten…</translation>
    </message>
    <message>
        <source>Copy as</source>
        <extracomment>&quot;Copy as&quot;: the built-in formats and the user&apos;s templates, filled when it opens.</extracomment>
        <translation>Kopieren als</translation>
    </message>
    <message>
        <source>Show inactive users</source>
        <translation>Inaktive Benutzer anzeigen</translation>
    </message>
    <message>
        <source>Show archived clients</source>
        <translation>Archivierte Kunden anzeigen</translation>
    </message>
    <message>
        <source>Refresh at start</source>
        <translation>Beim Start aktualisieren</translation>
    </message>
    <message>
        <source>Load fresh data when the panel starts. Off: start on the saved data; F5 refreshes (saves API requests on rate-limited plans).</source>
        <translation>Beim Start des Panels frische Daten laden. Aus: mit den gespeicherten Daten starten; F5 aktualisiert (spart API-Anfragen bei Tarifen mit Anfragegrenze).</translation>
    </message>
    <message>
        <source>Only clients not in docs101</source>
        <translation>Nur Kunden, die nicht in docs101 sind</translation>
    </message>
    <message>
        <source>Hide the clients docs101 has as customers (exactly or by a similar name).</source>
        <translation>Die Kunden ausblenden, die docs101 als Kunden führt (genau oder unter einem ähnlichen Namen).</translation>
    </message>
    <message>
        <source>Export cross-reference…</source>
        <translation>Abgleich exportieren…</translation>
    </message>
    <message>
        <source>Customers from a CSV file…</source>
        <translation>Kunden aus einer CSV-Datei…</translation>
    </message>
    <message>
        <source>Cross-reference the clients with the customers in a CSV file (a docs101 export) instead of the docs101 API. The file is used again at the next start and wins over a stored docs101 key until a docs101 key is saved in Settings.</source>
        <translation>Die Clockify-Kunden mit den Kunden einer CSV-Datei (einem docs101-Export) statt über die docs101-API abgleichen. Die Datei wird beim nächsten Start wieder verwendet und hat Vorrang vor einem gespeicherten docs101-Schlüssel, bis in den Einstellungen ein docs101-Schlüssel gespeichert wird.</translation>
    </message>
    <message>
        <source>Keep running in the tray</source>
        <extracomment>Asks where to write the export (&quot;&quot; or None: cancelled); tests replace it. &quot;Keep running in the tray&quot;: only where the desktop has a tray.</extracomment>
        <translation>Im Infobereich weiterlaufen</translation>
    </message>
    <message>
        <source>Closing the window hides it in the tray; Quit from the tray icon&apos;s menu.</source>
        <translation>Schließen des Fensters versteckt es im Infobereich; Beenden über das Menü des Symbols dort.</translation>
    </message>
    <message>
        <source>Filter names, e-mails, IDs (Ctrl+F)</source>
        <translation>Namen, E-Mails, IDs filtern (Strg+F)</translation>
    </message>
    <message>
        <source>View options</source>
        <translation>Ansichtsoptionen</translation>
    </message>
    <message>
        <source>Connect to Clockify…</source>
        <translation>Mit Clockify verbinden…</translation>
    </message>
    <message>
        <source>Loading workspaces from {host}…</source>
        <translation>Arbeitsbereiche werden von {host} geladen…</translation>
    </message>
    <message>
        <source>Connect to Clockify to see your workspaces, users and clients here.

You need your personal API key (Clockify: Profile &gt; Settings &gt; API).</source>
        <translation>Verbinden Sie sich mit Clockify, um hier Ihre Arbeitsbereiche, Benutzer und Kunden zu sehen.

Sie brauchen dazu Ihren persönlichen API-Schlüssel (Clockify: Profil &gt; Einstellungen &gt; API).</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Wird aktualisiert…</translation>
    </message>
    <message>
        <source>{count} matches so far (still loading)</source>
        <translation>{count} Treffer bisher (lädt noch)</translation>
    </message>
    <message>
        <source>{count} matches</source>
        <translation>{count} Treffer</translation>
    </message>
    <message>
        <source>Nothing to copy as {format} for {name}</source>
        <translation>Nichts als {format} zu kopieren für {name}</translation>
    </message>
    <message>
        <source>Nothing to copy as {format} for {count} rows</source>
        <translation>Nichts als {format} zu kopieren für {count} Zeilen</translation>
    </message>
    <message>
        <source>Copied {name} as {format}</source>
        <translation>{name} als {format} kopiert</translation>
    </message>
    <message>
        <source>Copied {count} rows as {format}</source>
        <translation>{count} Zeilen als {format} kopiert</translation>
    </message>
    <message>
        <source>{name} has no e-mail: nothing copied</source>
        <translation>{name} hat keine E-Mail: nichts kopiert</translation>
    </message>
    <message>
        <source>The {count} rows have no e-mail: nothing copied</source>
        <translation>Die {count} Zeilen haben keine E-Mail: nichts kopiert</translation>
    </message>
    <message>
        <source>{name} has no bill-to block (only clients have one)</source>
        <translation>{name} hat keinen Rechnungsblock (nur Kunden haben einen)</translation>
    </message>
    <message>
        <source>The {count} rows have no bill-to block (only clients have one)</source>
        <translation>Die {count} Zeilen haben keinen Rechnungsblock (nur Kunden haben einen)</translation>
    </message>
    <message>
        <source>1 template saved</source>
        <translation>1 Vorlage gespeichert</translation>
    </message>
    <message>
        <source>{count} templates saved</source>
        <translation>{count} Vorlagen gespeichert</translation>
    </message>
    <message>
        <source>Clockify requests in the last hour: {used} of {limit} ({name}, {plan})</source>
        <translation>Clockify-Anfragen in der letzten Stunde: {used} von {limit} ({name}, {plan})</translation>
    </message>
    <message>
        <source>The plan could not be saved: {problem}</source>
        <translation>Der Tarif konnte nicht gespeichert werden: {problem}</translation>
    </message>
    <message>
        <source>This key sees no workspaces.</source>
        <translation>Dieser Schlüssel sieht keine Arbeitsbereiche.</translation>
    </message>
    <message>
        <source>1 workspace · updated {time}</source>
        <translation>1 Arbeitsbereich · aktualisiert {time}</translation>
    </message>
    <message>
        <source>{count} workspaces · updated {time}</source>
        <translation>{count} Arbeitsbereiche · aktualisiert {time}</translation>
    </message>
    <message>
        <source>Refresh anyway</source>
        <translation>Trotzdem aktualisieren</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Clockify rejected the API key. It may have been regenerated.</source>
        <translation>Clockify hat den API-Schlüssel abgelehnt. Vielleicht wurde er neu erzeugt.</translation>
    </message>
    <message>
        <source>Update key</source>
        <translation>Schlüssel erneuern</translation>
    </message>
    <message>
        <source>No client is cross-referenced with docs101 yet.</source>
        <translation>Noch ist kein Kunde mit docs101 abgeglichen.</translation>
    </message>
    <message>
        <source>Exported {count} clients to {path}.</source>
        <translation>{count} Kunden nach {path} exportiert.</translation>
    </message>
    <message>
        <source>The cross-reference could not be written to {path}: {reason}</source>
        <translation>Der Abgleich konnte nicht nach {path} geschrieben werden: {reason}</translation>
    </message>
    <message>
        <source>Customers from a CSV file</source>
        <translation>Kunden aus einer CSV-Datei</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-Dateien (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Export cross-reference</source>
        <translation>Abgleich exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>limited after a 429 answer</source>
        <translation>begrenzt nach einer 429-Antwort</translation>
    </message>
    <message>
        <source>plan unknown, counted as Free</source>
        <translation>Tarif unbekannt, als Free gezählt</translation>
    </message>
    <message>
        <source>Free plan</source>
        <translation>Free-Tarif</translation>
    </message>
    <message>
        <source>Name&lt;TAB&gt;ID</source>
        <extracomment>The built-in &quot;Copy as&quot; formats&apos; labels (formats.BUILT_IN_FORMATS), for lupdate: the menu and the status messages show them translated.</extracomment>
        <translation>Name&lt;TAB&gt;ID</translation>
    </message>
    <message>
        <source>Name (ID)</source>
        <translation>Name (ID)</translation>
    </message>
    <message>
        <source>Name &lt;e-mail&gt;</source>
        <translation>Name &lt;E-Mail&gt;</translation>
    </message>
    <message>
        <source>Bill-to block</source>
        <translation>Rechnungsblock</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Clockify Panel</source>
        <translation>Clockify Panel</translation>
    </message>
    <message>
        <source>No system keyring works here, so the API key is kept in an encrypted file. Choose its passphrase, at least {count} characters; the panel asks for it when it starts.</source>
        <translation>Hier funktioniert kein Schlüsselbund des Systems, daher wird der API-Schlüssel in einer verschlüsselten Datei aufbewahrt. Wählen Sie ihre Passphrase, mindestens {count} Zeichen; das Panel fragt beim Start danach.</translation>
    </message>
    <message>
        <source>The API key is kept in an encrypted file. Its passphrase:</source>
        <translation>Der API-Schlüssel liegt in einer verschlüsselten Datei. Ihre Passphrase:</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>Passphrase wiederholen</translation>
    </message>
    <message>
        <source>&amp;Again:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <source>Type the passphrase.</source>
        <translation>Geben Sie die Passphrase ein.</translation>
    </message>
    <message>
        <source>Type the same passphrase again in the second field.</source>
        <translation>Geben Sie dieselbe Passphrase im zweiten Feld noch einmal ein.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Die beiden Passphrasen unterscheiden sich.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Global</source>
        <extracomment>The regions&apos; labels (desktop.clockify&apos;s REGIONS, English), for lupdate: the dialog shows them translated.</extracomment>
        <translation>Global</translation>
    </message>
    <message>
        <source>EU (Germany)</source>
        <translation>EU (Deutschland)</translation>
    </message>
    <message>
        <source>USA</source>
        <translation>USA</translation>
    </message>
    <message>
        <source>UK</source>
        <translation>Vereinigtes Königreich</translation>
    </message>
    <message>
        <source>Australia</source>
        <translation>Australien</translation>
    </message>
    <message>
        <source>The custom base URL is not valid: it should look like https://clockify.example.com/api/v1.</source>
        <extracomment>Removes a connection&apos;s key, cache file and cache key (runs on a worker).</extracomment>
        <translation>Die eigene Basis-URL ist ungültig: sie sollte wie https://clockify.example.com/api/v1 aussehen.</translation>
    </message>
    <message>
        <source>Connect to Clockify</source>
        <translation>Mit Clockify verbinden</translation>
    </message>
    <message>
        <source>Paste your Clockify API key</source>
        <extracomment>A docs101 store job to run again once the key file&apos;s passphrase is known.</extracomment>
        <translation>Fügen Sie Ihren Clockify-API-Schlüssel ein</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>Find your personal API key in Clockify under Profile &gt; Settings &gt; API (in some versions: Workspace Settings &gt; API). Generate one if there is none.</source>
        <translation>Ihren persönlichen API-Schlüssel finden Sie in Clockify unter Profil &gt; Einstellungen &gt; API (in manchen Versionen: Arbeitsbereich-Einstellungen &gt; API). Erzeugen Sie einen, falls keiner vorhanden ist.</translation>
    </message>
    <message>
        <source>Custom URL</source>
        <translation>Eigene URL</translation>
    </message>
    <message>
        <source>&amp;Region:</source>
        <translation>&amp;Region:</translation>
    </message>
    <message>
        <source>Custom base URL</source>
        <translation>Eigene Basis-URL</translation>
    </message>
    <message>
        <source>Custom &amp;URL:</source>
        <translation>Eigene &amp;URL:</translation>
    </message>
    <message>
        <source>Try the other regions</source>
        <translation>Andere Regionen versuchen</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>The language of the panel&apos;s window and dialogs; it applies at the next start.</source>
        <translation>Die Sprache des Panel-Fensters und seiner Dialoge; sie gilt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>Sp&amp;rache:</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Save &amp;anyway</source>
        <translation>Trotzdem s&amp;peichern</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>Verbindung t&amp;rennen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Stored; paste a new key to replace it</source>
        <translation>Gespeichert; einen neuen Schlüssel einfügen, um ihn zu ersetzen</translation>
    </message>
    <message>
        <source>Paste your docs101 API key</source>
        <translation>Ihren docs101-API-Schlüssel einfügen</translation>
    </message>
    <message>
        <source>docs101 API key</source>
        <translation>docs101-API-Schlüssel</translation>
    </message>
    <message>
        <source>docs&amp;101 key:</source>
        <translation>docs&amp;101-Schlüssel:</translation>
    </message>
    <message>
        <source>Optional. With a docs101 API key (Pro plan), each client shows whether docs101 has it as a customer.</source>
        <translation>Optional. Mit einem docs101-API-Schlüssel (Pro-Tarif) zeigt jede Kundenzeile, ob es den Kunden in docs101 gibt.</translation>
    </message>
    <message>
        <source>Remove the stored docs101 key; the Clockify connection stays.</source>
        <translation>Den gespeicherten docs101-Schlüssel entfernen; die Clockify-Verbindung bleibt.</translation>
    </message>
    <message>
        <source>Enter your API key first.</source>
        <translation>Geben Sie zuerst Ihren API-Schlüssel ein.</translation>
    </message>
    <message>
        <source>This API key cannot be used: {problem}.</source>
        <translation>Dieser API-Schlüssel ist nicht verwendbar: {problem}.</translation>
    </message>
    <message>
        <source>now paste the key itself</source>
        <translation>fügen Sie jetzt den Schlüssel selbst ein</translation>
    </message>
    <message>
        <source>Clockify&apos;s own hosts need no custom URL</source>
        <translation>die Hosts von Clockify selbst brauchen keine eigene URL</translation>
    </message>
    <message>
        <source>from the address you pasted; {hint}</source>
        <translation>anhand der eingefügten Adresse; {hint}</translation>
    </message>
    <message>
        <source>Region set to {region} {why}.</source>
        <translation>Region auf {region} gesetzt ({why}).</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>Testing the connection to {host}…</source>
        <translation>Verbindung zu {host} wird getestet…</translation>
    </message>
    <message>
        <source>&amp;Cancel test</source>
        <translation>Test &amp;abbrechen</translation>
    </message>
    <message>
        <source>(unnamed workspace)</source>
        <translation>(unbenannter Arbeitsbereich)</translation>
    </message>
    <message>
        <source>, and {count} more</source>
        <translation> und {count} weitere</translation>
    </message>
    <message>
        <source>Connected as {name} ({email}): 0 workspaces.</source>
        <translation>Verbunden als {name} ({email}): 0 Arbeitsbereiche.</translation>
    </message>
    <message>
        <source>Connected as {name} ({email}): 1 workspace: {names}{more}.</source>
        <translation>Verbunden als {name} ({email}): 1 Arbeitsbereich: {names}{more}.</translation>
    </message>
    <message>
        <source>Connected as {name} ({email}): {count} workspaces: {names}{more}.</source>
        <translation>Verbunden als {name} ({email}): {count} Arbeitsbereiche: {names}{more}.</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(kein Name)</translation>
    </message>
    <message>
        <source>no e-mail</source>
        <translation>keine E-Mail</translation>
    </message>
    <message>
        <source> If you regenerated the key in Clockify, the old one no longer works: paste the new one.</source>
        <translation> Wenn Sie den Schlüssel in Clockify neu erzeugt haben, gilt der alte nicht mehr: fügen Sie den neuen ein.</translation>
    </message>
    <message>
        <source>Trying the key in the other regions…</source>
        <translation>Der Schlüssel wird in den anderen Regionen versucht…</translation>
    </message>
    <message>
        <source>No other region accepts this key either: it is wrong, revoked or regenerated.</source>
        <translation>Auch keine andere Region nimmt diesen Schlüssel an: er ist falsch, widerrufen oder neu erzeugt.</translation>
    </message>
    <message>
        <source> Some regions could not be asked: </source>
        <translation> Einige Regionen konnten nicht gefragt werden: </translation>
    </message>
    <message>
        <source>The key works in the {region} region, not in the one chosen.</source>
        <translation>Der Schlüssel funktioniert in der Region {region}, nicht in der gewählten.</translation>
    </message>
    <message>
        <source>Use {region}</source>
        <translation>{region} verwenden</translation>
    </message>
    <message>
        <source>because it accepts the key</source>
        <translation>weil sie den Schlüssel annimmt</translation>
    </message>
    <message>
        <source>Storing the key…</source>
        <translation>Schlüssel wird gespeichert…</translation>
    </message>
    <message>
        <source>The key file&apos;s passphrase is needed to change the stored keys. Nothing was changed.</source>
        <translation>Die Passphrase der Schlüsseldatei wird benötigt, um die gespeicherten Schlüssel zu ändern. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>No system keyring works here, so the key needs a passphrase to be stored encrypted. Nothing was stored.</source>
        <translation>Hier funktioniert kein Schlüsselbund des Systems, daher braucht der Schlüssel eine Passphrase, um verschlüsselt gespeichert zu werden. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>The key file&apos;s passphrase is needed to remove the key. Nothing was removed.</source>
        <translation>Um den Schlüssel zu entfernen, wird die Passphrase der Schlüsseldatei benötigt. Es wurde nichts entfernt.</translation>
    </message>
    <message>
        <source>Enter your docs101 API key first.</source>
        <translation>Geben Sie zuerst Ihren docs101-API-Schlüssel ein.</translation>
    </message>
    <message>
        <source>Connected: 1 customer.</source>
        <translation>Verbunden: 1 Kunde.</translation>
    </message>
    <message>
        <source>Connected: {count} customers.</source>
        <translation>Verbunden: {count} Kunden.</translation>
    </message>
    <message>
        <source>The docs101 key is stored.</source>
        <translation>Der docs101-Schlüssel ist gespeichert.</translation>
    </message>
    <message>
        <source>Remove the stored docs101 API key from this computer? The Clockify connection stays as it is.</source>
        <translation>Den gespeicherten docs101-API-Schlüssel von diesem Computer entfernen? Die Clockify-Verbindung bleibt, wie sie ist.</translation>
    </message>
    <message>
        <source>The docs101 key was removed from this computer.</source>
        <translation>Der docs101-Schlüssel wurde von diesem Computer entfernt.</translation>
    </message>
    <message>
        <source>No docs101 key was stored.</source>
        <translation>Es war kein docs101-Schlüssel gespeichert.</translation>
    </message>
    <message>
        <source>Removing the docs101 key…</source>
        <translation>Der docs101-Schlüssel wird entfernt…</translation>
    </message>
    <message>
        <source>Clockify Panel</source>
        <translation>Clockify Panel</translation>
    </message>
    <message>
        <source>A&amp;ccount:</source>
        <translation>&amp;Konto:</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <source>The form below edits the selected account: its region, its API key.</source>
        <translation>Das Formular darunter bearbeitet das gewählte Konto: seine Region, seinen API-Schlüssel.</translation>
    </message>
    <message>
        <source>A&amp;dd…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>Add another Clockify account, with its own key.</source>
        <translation>Ein weiteres Clockify-Konto hinzufügen, mit eigenem Schlüssel.</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>Umbe&amp;nennen…</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <source>Remove the selected account: its stored API key, cached data and request counts.</source>
        <translation>Das gewählte Konto entfernen: seinen gespeicherten API-Schlüssel, die zwischengespeicherten Daten und die Anfragezählungen.</translation>
    </message>
    <message>
        <source>{region} ({host})</source>
        <translation>{region} ({host})</translation>
    </message>
    <message>
        <source>{name} · {address}</source>
        <translation>{name} · {address}</translation>
    </message>
    <message>
        <source> · not saved yet</source>
        <translation> · noch nicht gespeichert</translation>
    </message>
    <message>
        <source> · no key stored</source>
        <translation> · kein Schlüssel gespeichert</translation>
    </message>
    <message>
        <source>The new account&apos;s name (the organisation it belongs to, say):</source>
        <translation>Der Name des neuen Kontos (etwa die Organisation, zu der es gehört):</translation>
    </message>
    <message>
        <source>Choose the region of {name} (or its custom URL), paste its API key, then Save.</source>
        <translation>Wählen Sie die Region von {name} (oder die eigene URL), fügen Sie den API-Schlüssel ein und speichern Sie dann.</translation>
    </message>
    <message>
        <source>The new name of {name}:</source>
        <translation>Der neue Name von {name}:</translation>
    </message>
    <message>
        <source>Renaming {name}…</source>
        <translation>{name} wird umbenannt…</translation>
    </message>
    <message>
        <source>The account is now named {name}.</source>
        <translation>Das Konto heißt jetzt {name}.</translation>
    </message>
    <message>
        <source>{name} was not saved; it is no longer in the list.</source>
        <translation>{name} war nicht gespeichert; es steht nicht mehr in der Liste.</translation>
    </message>
    <message>
        <source>Remove the account {name}? Its stored API key, cached data and request counts are removed from this computer.</source>
        <translation>Das Konto {name} entfernen? Sein gespeicherter API-Schlüssel, die zwischengespeicherten Daten und die Anfragezählungen werden von diesem Computer entfernt.</translation>
    </message>
    <message>
        <source>Removing {name}: its key, cached data and request counts…</source>
        <translation>{name} wird entfernt: Schlüssel, zwischengespeicherte Daten und Anfragezählungen…</translation>
    </message>
    <message>
        <source>{name} was removed: its API key, cached data and request counts are gone from this computer.</source>
        <translation>{name} wurde entfernt: API-Schlüssel, zwischengespeicherte Daten und Anfragezählungen sind von diesem Computer gelöscht.</translation>
    </message>
</context>
<context>
    <name>TemplateDialog</name>
    <message>
        <source>Fields: %1. Write &quot;{{&quot; and &quot;}}&quot; for literal braces.</source>
        <extracomment>The preview shows at most this many of the sample rows (it is redrawn on every key). The row previewed when none is selected.</extracomment>
        <translation>Felder: %1. Schreiben Sie „{{“ und „}}“ für geschweifte Klammern als Text.</translation>
    </message>
    <message>
        <source>Copy templates</source>
        <extracomment>The template a new entry starts with.</extracomment>
        <translation>Kopiervorlagen</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Vorlagen</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>Add template</source>
        <translation>Vorlage hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove template</source>
        <translation>Vorlage entfernen</translation>
    </message>
    <message>
        <source>Template name</source>
        <translation>Name der Vorlage</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Template problem</source>
        <translation>Problem der Vorlage</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Template:</source>
        <translation>&amp;Vorlage:</translation>
    </message>
    <message>
        <source>&amp;Preview:</source>
        <translation>V&amp;orschau:</translation>
    </message>
    <message>
        <source>Another template is already called &quot;{name}&quot;.</source>
        <translation>Eine andere Vorlage heißt bereits „{name}“.</translation>
    </message>
    <message>
        <source>&quot;{name}&quot;</source>
        <translation>„{name}“</translation>
    </message>
    <message>
        <source>number {number}</source>
        <translation>Nummer {number}</translation>
    </message>
    <message>
        <source>Template {label}: {problem}</source>
        <translation>Vorlage {label}: {problem}</translation>
    </message>
    <message>
        <source>Template {number}</source>
        <translation>Vorlage {number}</translation>
    </message>
</context>
<context>
    <name>TreeLoader</name>
    <message>
        <source>Unexpected error ({name}); details are in the log.</source>
        <translation>Unerwarteter Fehler ({name}); Einzelheiten stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>TreeView</name>
    <message>
        <source>Right/Left open and close, * opens everything under the row, Enter copies the name</source>
        <extracomment>The ID column is as wide as this many characters of its fixed-pitch font, plus padding.</extracomment>
        <translation>Rechts/Links öffnet und schließt, * öffnet alles unter der Zeile, Eingabe kopiert den Namen</translation>
    </message>
    <message>
        <source>Workspaces, users and clients</source>
        <extracomment>At most this many selected rows are remembered across restarts (more: only the current). A client row&apos;s docs101 marker (Role.XREF): its glyph and colour, drawn at the row&apos;s end.</extracomment>
        <translation>Arbeitsbereiche, Benutzer und Kunden</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Clockify Panel</source>
        <translation>Clockify Panel</translation>
    </message>
    <message>
        <source>Something went wrong: {error}. The panel keeps running.</source>
        <translation>Etwas ist schiefgegangen: {error}. Das Panel läuft weiter.</translation>
    </message>
    <message>
        <source>The details are also in the log file.</source>
        <translation>Die Einzelheiten stehen auch in der Protokolldatei.</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Einzelheiten kopieren</translation>
    </message>
    <message>
        <source>Clockify Panel (demo data)</source>
        <extracomment>How long a thread holds the GIL before another may take it (Python&apos;s default: 5 ms).</extracomment>
        <translation>Clockify Panel (Demodaten)</translation>
    </message>
    <message>
        <source>Starting the demo…</source>
        <translation>Demo wird gestartet…</translation>
    </message>
    <message>
        <source>The demo could not start: {problem}</source>
        <translation>Die Demo konnte nicht starten: {problem}</translation>
    </message>
</context>
<context>
    <name>clipboard</name>
    <message>
        <source>Nothing selected to copy</source>
        <extracomment>The rows&apos; values to copy, one per row (node_names, node_ids, node_emails, names_and_ids). (English; `nothing_selected()` is the text in the interface&apos;s language.)</extracomment>
        <translation>Nichts zum Kopieren ausgewählt</translation>
    </message>
    <message>
        <source>Copied {what} of {name}</source>
        <translation>{what} von {name} kopiert</translation>
    </message>
    <message>
        <source>Copied {what} of {count} rows</source>
        <translation>{what} von {count} Zeilen kopiert</translation>
    </message>
    <message>
        <source>name</source>
        <extracomment>The words `copied_message` is given, singular and plural (English adds an &quot;s&quot;).</extracomment>
        <translation>Name</translation>
    </message>
    <message>
        <source>names</source>
        <translation>Namen</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>IDs</source>
        <translation>IDs</translation>
    </message>
    <message>
        <source>e-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>e-mails</source>
        <translation>E-Mails</translation>
    </message>
    <message>
        <source>name and ID</source>
        <translation>Name und ID</translation>
    </message>
    <message>
        <source>name and IDs</source>
        <translation>Namen und IDs</translation>
    </message>
    <message>
        <source>bill-to block</source>
        <translation>Rechnungsblock</translation>
    </message>
    <message>
        <source>bill-to blocks</source>
        <translation>Rechnungsblöcke</translation>
    </message>
</context>
<context>
    <name>ExtraAccount</name>
    <message>
        <source>No API key stored: Settings… to add one.</source>
        <translation>Kein API-Schlüssel gespeichert: unter Einstellungen… hinzufügen.</translation>
    </message>
    <message>
        <source>The stored API key could not be read: {problem}</source>
        <translation>Der gespeicherte API-Schlüssel konnte nicht gelesen werden: {problem}</translation>
    </message>
    <message>
        <source>Update key</source>
        <translation>Schlüssel erneuern</translation>
    </message>
    <message>
        <source>{account}: Clockify rejected the API key. It may have been regenerated.</source>
        <translation>{account}: Clockify hat den API-Schlüssel abgelehnt. Vielleicht wurde er neu erzeugt.</translation>
    </message>
    <message>
        <source>{account}: {problem}</source>
        <translation>{account}: {problem}</translation>
    </message>
</context>
</TS>
