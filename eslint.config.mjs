// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The floors of src/ (README "Project layout"), lowest first: a room imports only rooms of lower
 * floors, never one beside it or above it. redis/redis.module.ts is the one exception: it composes
 * the connection floor (docs/decisions.md).
 */
const floors = [
  ['errors'],
  ['core', 'tracing'],
  ['redis'],
  ['scripts', 'durability', 'config'],
  ['health'],
  ['pods'],
  ['links'],
  ['cache', 'overview'],
  ['stateful', 'http'],
  ['service', 'cli'],
];
/** Each room, and the rooms it must not import: those of its own floor and of the floors above. */
const above = Object.fromEntries(
  floors.flatMap((floor, level) =>
    floor.map((room) => [
      room,
      floors
        .slice(level)
        .flat()
        .filter((other) => other !== room),
    ]),
  ),
);
const floorRules = Object.entries(above)
  .filter(([, forbidden]) => forbidden.length > 0)
  .map(([room, forbidden]) => ({
    files: [`src/${room}/**/*.ts`],
    ignores: room === 'redis' ? ['src/redis/redis.module.ts'] : [],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden
                .map((other) => `../${other}/*`)
                .concat(forbidden.map((other) => `../${other}`)),
              message: `src/${room} imports only the floors below it (README "Project layout", docs/decisions.md).`,
            },
          ],
        },
      ],
    },
  }));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'node_modules/',
      '**/*.js',
      '**/*.mjs',
      '**/*.mts',
      '.bench-build/',
      '.test-build/',
      'test/consumers/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Vitest's asymmetric matchers (expect.stringMatching...) are typed `any` by design.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  ...floorRules,
);
