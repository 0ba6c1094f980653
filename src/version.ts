/** The tool's name and version, as reports name them; a test keeps it equal to package.json. */
export const TOOL = { name: 'mailtrap-dns-verify', version: '0.1.0' } as const
