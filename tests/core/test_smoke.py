def test_sign_in_and_me(client, auth):
    tokens = auth.sign_in("8 916 123-45-67")
    me = client.get("/api/me", headers=auth.bearer(tokens["accessToken"]))
    assert me.status_code == 200
    assert me.get_json()["data"]["phone"] == "+79161234567"
