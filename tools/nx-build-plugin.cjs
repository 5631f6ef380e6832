// Nx plugin: gives every project with a src/ folder under libs/ or apps/ a `build` target
// (tools/build.mjs: esbuild, src/ -> dist/), so no project repeats the same target.
const { existsSync } = require('node:fs');
const path = require('node:path');

exports.createNodesV2 = [
  '{libs,apps}/*/package.json',
  (files) =>
    files
      .filter((file) => existsSync(path.join(path.dirname(file), 'src')))
      .map((file) => {
        const root = path.dirname(file);
        return [
          file,
          {
            projects: {
              [root]: {
                targets: {
                  build: {
                    command: `node tools/build.mjs ${root}`,
                    options: { cwd: '{workspaceRoot}' },
                    inputs: ['production', '{workspaceRoot}/tools/build.mjs'],
                    outputs: ['{projectRoot}/dist'],
                    dependsOn: ['^build'],
                    cache: false,
                  },
                },
              },
            },
          },
        ];
      }),
];
