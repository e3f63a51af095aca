// e2e stand-in, hybrid flavour (E2E_STANDIN=adapter): the stand-in's activation, configuration
// provider and diagnostics around the project's real debug adapter session (src/adapter), to
// try the real adapter in VS Code before src/extension.ts exists.
'use strict';
const { activateWith } = require('./extension.js');
const { BusdmaDebugSession } = require('../../../src/adapter/session');

exports.activate = (context) => activateWith(context, () => new BusdmaDebugSession());
exports.deactivate = () => {};
