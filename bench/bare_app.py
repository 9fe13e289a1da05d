"""The baseline for bench/api_throughput.py: the smallest Flask app answering one JSON route,
served by gunicorn with the same settings as the real app."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify({"data": {"status": "ok"}})
