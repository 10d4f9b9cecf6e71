// A local OpenID Connect provider for tests: one confidential client whose
// redirect URIs (comma separated) are given on the command line, PKCE required,
// and the dev login/consent pages (any login name is accepted; its claims derive
// from it). Its /auth, /token and /me endpoints also serve as a plain OAuth2 provider.
//   node provider.mjs <port> <redirect_uri>[,<redirect_uri>…]
// Prints "oidc ready <issuer>" once listening.
import Provider from 'oidc-provider'

const [port, redirectUri] = process.argv.slice(2)
const issuer = `http://127.0.0.1:${port}`

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'protium',
      client_secret: 'protium-test-secret',
      redirect_uris: redirectUri.split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'picture'] },
  // The dev login form's name is the account id and the `sub`.
  async findAccount(ctx, name) {
    return {
      accountId: name,
      async claims() {
        return {
          sub: name,
          email: `${name}@idp.test`,
          email_verified: true,
          name: `Name of ${name}`,
          picture: `https://idp.test/${name}.png`,
        }
      },
    }
  },
})
provider.proxy = false
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc ready ${issuer}`))
