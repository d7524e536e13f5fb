// Jest cannot require() ES modules, and @fastify/static (Swagger UI's file server) requires the
// ESM-only content-disposition 3. Node >= 20.19 loads it natively; under Jest this CommonJS shim
// offers the same `create` on top of content-disposition 1 (its signature is the same).
const contentDisposition = require('../../node_modules/content-disposition');
module.exports = { create: (filename, options) => contentDisposition(filename, options) };
