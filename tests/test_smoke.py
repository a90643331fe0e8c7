def test_health_check_answers_200(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_a_text_message_gets_the_safety_advice(resident):
    assert "110" in resident.says("你好")
