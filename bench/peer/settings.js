// SPDX-License-Identifier: MIT
//
// Node-RED settings for the benchmark peer (bench/compare.sh).  Everything
// that is not the measured flow is switched off: no editor, no admin API, no
// HTTP server at all, no palette installs, no update check.  The user
// directory is a private temporary directory given by the script.
module.exports = {
    userDir: process.env.BENCH_NR_USERDIR,
    flowFile: process.env.BENCH_NR_FLOW,
    flowFilePretty: false,
    credentialSecret: false,
    // false for both roots: Node-RED then opens no HTTP server and serves
    // neither the editor nor the admin API.
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    uiHost: "127.0.0.1",
    telemetry: { enabled: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    externalModules: {
        autoInstall: false,
        palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
        modules: { allowInstall: false }
    },
    editorTheme: { projects: { enabled: false } },
    functionExternalModules: false,
    logging: {
        console: { level: "warn", metrics: false, audit: false }
    },
    exportGlobalContextKeys: false
};
